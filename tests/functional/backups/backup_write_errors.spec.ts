import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { BackupWriter } from '#backups/backup_format'
import { ace } from './helpers.js'

/*
| A backup whose file cannot be written: the disk full (/dev/full answers every write with
| ENOSPC, as a full disk does) or the file not opened (a read-only folder). pos:backup used to
| wait forever on the compressor, and the process, with nothing left to do, exited 0 without a
| word: a cron job saw success, a scheduled backup never ran again, and `pos:start` (which backs
| up before migrating) exited 0 without serving.
*/

/** Rows that compress badly, so the compressor's buffers fill up as on a real store */
function noisyRows(count: number) {
  return Array.from({ length: count }, () => [randomBytes(12).toString('hex'), randomBytes(48).toString('base64'), Math.floor(Math.random() * 1e9)])
}

test.group('Backups that cannot be written', (group) => {
  let dir: string
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backup-errors-'))
    return () => rmSync(dir, { recursive: true, force: true })
  })

  test('the writer fails on a full disk instead of waiting forever', async ({ assert }) => {
    const writer = new BackupWriter('/dev/full', { format: 'open-pos-backup', version: 1, app: 'test', engine: 'sqlite', createdAt: new Date().toISOString(), schema: [] })
    const write = (async () => {
      await writer.start()
      await writer.table('noise', ['a', 'b', 'c'])
      for (const row of noisyRows(5000)) await writer.row(row)
      return writer.finish()
    })()
    const hung = new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref())
    const outcome = await Promise.race([write.then(() => 'finished', (error: NodeJS.ErrnoException) => error.code), hung])
    await writer.abort()
    assert.equal(outcome, 'ENOSPC')
  }).timeout(30_000)

  test('pos:backup on a full disk or a file that cannot be opened exits 1 saying why, and logs the failure', async ({ assert }) => {
    const fixture = await createStore()
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
    // Enough data that the compressor's buffers fill before the end
    for (let i = 0; i < 6; i++) {
      await db.table('products').multiInsert(
        noisyRows(200).map(([sku, name], j) => ({ store_id: fixture.store.id, name: `${name}`.slice(0, 60), sku: `${sku}-${i}-${j}`, price: 100, cost: 0, created_at: now, updated_at: now }))
      )
    }
    const backups = join(dir, 'backups')
    const cases = [
      // It said only "ENOSPC: no space left on device, write"
      { target: join(dir, 'full.jsonl.gz'), device: '/dev/full', says: /Backup failed: the folder .* is full: free space there, or back up to another folder \(BACKUP_DIR, or pos:backup --to\) \(ENOSPC\); nothing of this backup was kept/ },
      // Opening fails (as in a read-only folder): the file's folder does not exist
      { target: join(dir, 'unopened.jsonl.gz'), device: join(dir, 'missing', 'x'), says: /Backup failed: .*ENOENT/ },
    ]
    for (const { target, device, says } of cases) {
      // The backup is written to FILE.partial, then renamed: that name leads to the device
      symlinkSync(device, `${target}.partial`)
      const run = await ace(['pos:backup', '--to', target], { BACKUP_DIR: backups }, undefined, 60_000)
      assert.equal(run.code, 1, run.out)
      assert.match(run.out, says)
      assert.isFalse(existsSync(target), 'no backup file is left as if it were whole')
      const log = readFileSync(join(backups, 'backups.log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line))
      const entry = log.find((e) => e.file === target)
      assert.isFalse(entry?.ok, `the failed attempt is in the log: ${JSON.stringify(log)}`)
    }
  }).timeout(180_000)
})
