import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'

/*
| A sale answered is a sale kept, power cut included. SQLite in WAL mode with synchronous = NORMAL
| (what the app set until 2026-12-07) survives a crash of the app, not of the machine: the last
| commits before a power cut or an OS crash may roll back, after their receipts were printed. The
| app's connections sync every COMMIT (FULL). A power cut cannot be made in a test; what is
| checked is the setting each connection of the app really runs with.
*/

test.group('SQLite: durable commits', () => {
  test('every connection of the app syncs each commit to the disk (synchronous = FULL, in WAL mode)', async ({ assert }) => {
    if (db.connection().dialect.name === 'mysql') return assert.isTrue(true, 'SQLite only: MariaDB is set up in docs/deploy.md')
    const knex = db.connection().getWriteClient()
    const connection = await knex.client.acquireConnection()
    try {
      assert.equal(connection.pragma('journal_mode', { simple: true }), 'wal')
      // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
      assert.equal(connection.pragma('synchronous', { simple: true }), 2)
    } finally {
      await knex.client.releaseConnection(connection)
    }
  })
})
