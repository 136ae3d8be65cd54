import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { inTransaction, transaction } from '#platform/db_transaction'

/*
| A COMMIT that fails must fail the transaction (app/platform/db_transaction.ts). knex resolves
| commit() even when the COMMIT statement fails, and Lucid then reports the transaction as
| committed: on Galera, whose certification conflicts fail at COMMIT, sales were answered 201 and
| existed on no node. Each database is made to fail a real COMMIT:
| - SQLite checks deferred foreign keys at COMMIT and refuses it;
| - on MariaDB the transaction's connection is killed (KILL CONNECTION) just before its COMMIT.
*/

const parents = 'commit_test_parents'
const children = 'commit_test_children'
const isMysql = () => db.connection().dialect.name === 'mysql'

test.group('A failed COMMIT', (group) => {
  group.setup(async () => {
    await db.connection().schema.dropTableIfExists(children)
    await db.connection().schema.dropTableIfExists(parents)
    await db.connection().schema.createTable(parents, (table) => {
      table.increments('id')
      table.string('name')
    })
    await db.connection().schema.createTable(children, (table) => {
      table.increments('id')
      table.integer('parent_id').unsigned().notNullable().references(`${parents}.id`)
    })
    return async () => {
      await db.connection().schema.dropTableIfExists(children)
      await db.connection().schema.dropTableIfExists(parents)
    }
  })

  /** Writes a row, then makes the COMMIT fail; resolves what the transaction answered */
  async function failingCommit(run: typeof transaction, name: string) {
    let hookRan = false
    const outcome = await run(async (trx) => {
      trx.after('commit', () => {
        hookRan = true
      })
      await trx.insertQuery().table(parents).insert({ name })
      if (isMysql()) {
        const [rows] = await trx.rawQuery('SELECT CONNECTION_ID() AS id')
        await db.rawQuery(`KILL CONNECTION ${Number(rows[0].id)}`)
      } else {
        await trx.rawQuery('PRAGMA defer_foreign_keys = ON')
        await trx.insertQuery().table(children).insert({ parent_id: 999_999 })
      }
      return 'committed'
    }).then(
      (value) => ({ value, error: null as any }),
      (error) => ({ value: null, error })
    )
    const saved = await db.from(parents).where('name', name).count('* as total')
    return { ...outcome, hookRan, saved: Number(saved[0].total) }
  }

  test('throws, writes nothing and runs no after-commit hook', async ({ assert }) => {
    const outcome = await failingCommit(transaction, 'refused')
    assert.isNull(outcome.value, 'a failed COMMIT was answered as a success')
    assert.exists(outcome.error)
    assert.equal(outcome.saved, 0)
    assert.isFalse(outcome.hookRan)
  })

  test('is not retried when its outcome is unknown, and is not answered as committed', async ({ assert }) => {
    const outcome = await failingCommit(inTransaction, 'retried')
    assert.isNull(outcome.value)
    assert.exists(outcome.error)
    // A connection lost during COMMIT may have committed: the client's retry with its key decides
    if (isMysql()) assert.isTrue(outcome.error.commitOutcomeUnknown)
    assert.equal(outcome.saved, 0)
    assert.isFalse(outcome.hookRan)
  })

  test('a COMMIT that succeeds still answers and runs its hooks', async ({ assert }) => {
    let hookRan = false
    const value = await transaction(async (trx) => {
      trx.after('commit', () => {
        hookRan = true
      })
      await trx.insertQuery().table(parents).insert({ name: 'kept' })
      return 'committed'
    })
    assert.equal(value, 'committed')
    assert.isTrue(hookRan)
    assert.equal(Number((await db.from(parents).where('name', 'kept').count('* as total'))[0].total), 1)
  })
})
