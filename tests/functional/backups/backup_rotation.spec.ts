import { test } from '@japa/runner'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { runBackup } from '#backups/backup_service'
import { ace, scratchTarget, sellingStore } from './helpers.js'

/*
| BACKUP_KEEP and the backups the POS takes for its own safety (before a restore, before
| migrations): they are kept apart, each kind its newest BACKUP_KEEP, so restores and upgrades
| never push the scheduled backups out. Real files in a folder of their own, real pos:restore runs,
| on SQLite and MariaDB.
*/

let root: string
const previous = { dir: env.get('BACKUP_DIR'), keep: env.get('BACKUP_KEEP') }

/** A backup file's name is stamped to the second: two in one second would be one file */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100))

const backupsIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.jsonl.gz')).sort()

test.group('Backups: what BACKUP_KEEP keeps', (group) => {
  group.setup(async () => {
    root = mkdtempSync(join(app.makePath('tmp'), 'backup-rotation-'))
    // Something to back up, so that a restore has rows to load
    await sellingStore()
    return () => {
      env.set('BACKUP_DIR', previous.dir ?? '')
      env.set('BACKUP_KEEP', previous.keep as number)
      // (set to undefined, process.env holds the text "undefined": the next ace child refused it)
      if (previous.keep === undefined) delete process.env.BACKUP_KEEP
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('backups before restores and migrations are counted apart from the scheduled and manual ones', async ({ assert }) => {
    const dir = join(root, 'apart')
    mkdirSync(dir)
    env.set('BACKUP_DIR', dir)
    env.set('BACKUP_KEEP', 2)
    const regular: string[] = []
    for (const reason of ['scheduled', 'manual', 'scheduled']) {
      regular.push(basename((await runBackup({ reason })).path))
      await nextSecond()
    }
    assert.deepEqual(backupsIn(dir), regular.slice(1), 'the newest two scheduled or manual ones')
    const safety: string[] = []
    for (const reason of ['before-migrations', 'before-restore', 'before-restore']) {
      safety.push(basename((await runBackup({ reason })).path))
      await nextSecond()
    }
    // Three safety backups pushed out no scheduled one: each kind keeps its newest two
    assert.deepEqual(backupsIn(dir), [...regular.slice(1), ...safety.slice(1)].sort())
    const last = basename((await runBackup({ reason: 'scheduled' })).path)
    assert.deepEqual(backupsIn(dir), [regular[2], last, ...safety.slice(1)].sort())
  }).timeout(120_000)

  test('pos:restore --force of a kept backup: its own before-restore backup deletes neither that file nor a scheduled one', async ({ assert }) => {
    const dir = join(root, 'restore')
    mkdirSync(dir)
    env.set('BACKUP_DIR', dir)
    env.set('BACKUP_KEEP', 1)
    const scheduled = (await runBackup({ reason: 'scheduled' })).path
    await nextSecond()
    const beforeMigrations = (await runBackup({ reason: 'before-migrations' })).path
    await nextSecond()
    const target = await scratchTarget()
    try {
      await db.connection(target.name).schema.createTable('kept', (table) => table.integer('n'))
      await db.connection(target.name).table('kept').insert({ n: 7 })
      const extra = { ...target.env, BACKUP_DIR: dir, BACKUP_KEEP: '1' }
      // The oldest safety backup, with BACKUP_KEEP=1: the before-restore backup made the count two,
      // and the file about to be read was deleted (the restore then failed and put the database back)
      const first = await ace(['pos:restore', beforeMigrations, '--force'], extra, undefined, 240_000)
      assert.equal(first.code, 0, first.out)
      const afterFirst = backupsIn(dir)
      assert.include(afterFirst, basename(beforeMigrations), 'the file restored')
      assert.include(afterFirst, basename(scheduled), 'the scheduled backup')
      assert.lengthOf(afterFirst.filter((name) => name.endsWith('-before-restore.jsonl.gz')), 1)
      await nextSecond()
      // The one scheduled backup: a restore of it used to delete it first (the newest file counted
      // was the before-restore backup), and a few restores pushed every scheduled one out
      const second = await ace(['pos:restore', scheduled, '--force'], extra, undefined, 240_000)
      assert.equal(second.code, 0, second.out)
      const afterSecond = backupsIn(dir)
      assert.include(afterSecond, basename(scheduled))
      assert.lengthOf(afterSecond, 2, afterSecond.join(', '))
      assert.isTrue(afterSecond.some((name) => name.endsWith('-before-restore.jsonl.gz')), 'the newest before-restore backup')
      assert.notInclude(afterSecond, basename(beforeMigrations), 'the older safety backup went')
    } finally {
      await target.drop()
    }
  }).timeout(600_000)
})
