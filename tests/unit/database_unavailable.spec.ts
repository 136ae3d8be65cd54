import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiErrorBody, isDatabaseUnavailable, isDatabaseUnreachable } from '#exceptions/api_errors'
import { retryReason } from '#platform/db_transaction'

/*
| A database whose storage refuses writes (a read-only file, a full disk) is unavailable for the
| moment: 503 with Retry-After, as an unreachable one, not a 500. The errors are real: a real
| SQLite file opened read-only and written to.
*/

test.group('A database that cannot write', () => {
  test('a read-only SQLite database answers 503 database_unavailable, not 500', async ({ assert }) => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-readonly-'))
    try {
      const { default: Database } = (await import('better-sqlite3' as string)) as any
      const file = join(dir, 'pos.sqlite3')
      new Database(file).exec('CREATE TABLE sales (id INTEGER PRIMARY KEY)')
      const readOnly = new Database(file, { readonly: true })
      let error: any = null
      try {
        readOnly.exec('INSERT INTO sales (id) VALUES (1)')
      } catch (thrown) {
        error = thrown
      }
      readOnly.close()
      assert.equal(error?.code, 'SQLITE_READONLY')
      assert.isTrue(isDatabaseUnavailable(error))
      assert.equal(apiErrorBody(error)?.status, 503)
      // Said as what it is: a read-only database is not a full disk, nor a database out of reach
      assert.match(apiErrorBody(error)!.body.errors[0].message, /^The database cannot save anything: it is read-only .*; try again once it is put right$/)
      assert.match(apiErrorBody({ code: 'SQLITE_IOERR_WRITE' })!.body.errors[0].message, /^The database cannot read or write its files/)
      assert.match(apiErrorBody({ code: 'ER_DISK_FULL' })!.body.errors[0].message, /its disk is full/)
      assert.equal(apiErrorBody({ code: 'ECONNREFUSED' })!.body.errors[0].message, 'The database is not reachable; try again shortly')
      // Answered at once: a transaction is run again only for a database out of reach (a full disk
      // retried 30 times, some 6 s a request)
      assert.isFalse(isDatabaseUnreachable(error))
      assert.isNull(retryReason(error))
      // A constraint is the request's own doing, still not "unavailable"
      assert.isFalse(isDatabaseUnavailable({ code: 'SQLITE_CONSTRAINT_UNIQUE' }))
      assert.isTrue(isDatabaseUnavailable({ code: 'ER_DISK_FULL' }))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
