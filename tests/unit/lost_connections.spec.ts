import { test } from '@japa/runner'
import { isLostConnection, isPlainRead } from '#platform/lost_connections'

/*
| Which queries that met a lost connection are run again (app/platform/lost_connections.ts): only
| reads, and only for a lost connection, never for a query dropped at its deadline. The queries
| themselves are run on a real MariaDB in tests/functional/database/lost_connections.spec.ts.
*/

test.group('Lost connections: what is run again', () => {
  test('reads: a SELECT, a SHOW, a batch of SELECTs; not a write, a batch with one, nor a named lock', ({ assert }) => {
    assert.isTrue(isPlainRead('select * from `stores` where `id` = ?'))
    assert.isTrue(isPlainRead('  SHOW VARIABLES LIKE ?'))
    assert.isTrue(isPlainRead('SELECT * FROM auth_access_tokens WHERE id = ?;\nSELECT u.* FROM users u WHERE u.id = ?'))
    for (const sql of [
      'insert into `sales` (`total`) values (?)',
      'update `products` set `stock` = `stock` - ? where `id` = ?',
      'delete from `carts` where `id` = ?',
      'SELECT id FROM sales WHERE id = ?;\nUPDATE sales SET status = ? WHERE id = ?',
      'INSERT INTO sales (total) VALUES (?);\nSET @inserted_0 = LAST_INSERT_ID();\nSELECT @inserted_0',
      "SELECT GET_LOCK('adonis_lucid_migrations', 1) as lock_status;",
      "SELECT RELEASE_LOCK('adonis_lucid_migrations') as lock_status",
      // What it cannot tell for a read is not run again
      'with x as (select 1) select * from x',
      '(select 1) union (select 2)',
      '',
    ]) {
      assert.isFalse(isPlainRead(sql), sql)
    }
    assert.isFalse(isPlainRead(undefined))
  })

  test('lost: the connection closed under the query; not a deadline, a refusal or an SQL error', ({ assert }) => {
    for (const code of ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE']) assert.isTrue(isLostConnection({ code }), code)
    assert.isTrue(isLostConnection(new Error("Can't add new command when connection is in closed state")))
    // Dropped at its deadline (query_deadline.ts): answered 503 at once, never run again
    assert.isFalse(isLostConnection({ code: 'ETIMEDOUT', fatal: true, message: 'The database did not answer within 5000 ms; its connection was dropped' }))
    for (const code of ['ECONNREFUSED', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED', 'ER_LOCK_DEADLOCK', 'ER_DUP_ENTRY']) assert.isFalse(isLostConnection({ code }), code)
    assert.isFalse(isLostConnection(null))
    // The server's word, by number: a KILL, a shutdown, MySQL 8's idle timeout; on MariaDB 4031 is
    // a trigger's error (ER_REFERENCED_TRG_DOES_NOT_EXIST), not a lost connection
    for (const errno of [1927, 1053]) assert.isTrue(isLostConnection({ errno }), String(errno))
    assert.isTrue(isLostConnection({ errno: 4031, sqlMessage: 'The client was disconnected by the server because of inactivity.' }))
    assert.isFalse(isLostConnection({ errno: 4031, sqlMessage: "Referenced trigger 'tr1' for the given action time and event type does not exist" }))
  })
})
