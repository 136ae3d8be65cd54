import { test } from '@japa/runner'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { createStore } from '#tests/fixtures'
import { runBackup } from '#backups/backup_service'
import { BACKUP_NAME } from '#platform/backup_folder'
import { ace, joinEveryStore } from './helpers.js'

/*
| Who may have the installation's backups. A backup holds every store's customers, sales and
| staff credentials, so Settings -> Backups (list, download, back up now) and its menu link are
| for an admin who belongs to every store only; an admin of some of the stores gets 403.
| The files themselves are readable by their owner only.
*/

let dir: string
const previousDir = env.get('BACKUP_DIR')

const backupsIn = (folder: string) => readdirSync(folder).filter((name) => BACKUP_NAME.test(name))

test.group('Backups: who may have them', (group) => {
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backup-access-'))
    env.set('BACKUP_DIR', dir)
    return () => {
      env.set('BACKUP_DIR', previousDir ?? '')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('an admin of every store lists, makes and downloads backups; an admin of one store of two gets 403', async ({ client, assert }) => {
    const storeA = await createStore()
    const storeB = await createStore()
    const adminOfAll = storeA.users.admin
    const adminOfB = storeB.users.admin
    await joinEveryStore(adminOfAll.id)

    const started = await client.post('/backoffice/backups').form({}).withCsrfToken().loginAs(adminOfAll).redirects(0)
    started.assertStatus(302)
    const page = await client.get('/backoffice/backups').loginAs(adminOfAll)
    page.assertStatus(200)
    assert.include(page.text(), 'href="/backoffice/backups"', 'the menu links the page')
    const name = /href="\/backoffice\/backups\/(pos-backup-[^"]+)"/.exec(page.text())?.[1]
    assert.isString(name, 'the page links the new backup')
    ;(await client.get(`/backoffice/backups/${name}`).loginAs(adminOfAll)).assertStatus(200)

    // Store B's admin: none of it, and no new file made
    const before = backupsIn(dir)
    ;(await client.get('/backoffice/backups').loginAs(adminOfB)).assertStatus(403)
    ;(await client.get(`/backoffice/backups/${name}`).loginAs(adminOfB)).assertStatus(403)
    ;(await client.post('/backoffice/backups').form({}).withCsrfToken().loginAs(adminOfB)).assertStatus(403)
    assert.deepEqual(backupsIn(dir), before)
    const menu = await client.get('/backoffice').loginAs(adminOfB)
    menu.assertStatus(200)
    assert.include(menu.text(), 'href="/backoffice/stores"', 'the page is an admin\'s menu')
    assert.notInclude(menu.text(), 'href="/backoffice/backups"')

    // Once store B's admin works in every store (store_users), they may
    await joinEveryStore(adminOfB.id)
    ;(await client.get('/backoffice/backups').loginAs(adminOfB)).assertStatus(200)

    // A store added later that the first admin is not in: their backups stop there
    await createStore()
    ;(await client.get('/backoffice/backups').loginAs(adminOfAll)).assertStatus(403)
    ;(await client.get(`/backoffice/backups/${name}`).loginAs(adminOfAll)).assertStatus(403)
    assert.notInclude((await client.get('/backoffice').loginAs(adminOfAll)).text(), 'href="/backoffice/backups"')
  }).timeout(60_000)

  test('a backup file is readable by its owner only (0600), as storage/app_key is', async ({ assert }) => {
    const { path } = await runBackup({ reason: 'manual' })
    assert.equal(statSync(path).mode & 0o777, 0o600)
    // The same when a file anyone could read was left where it writes (a backup cut short)
    const to = join(dir, 'chosen.jsonl.gz')
    rmSync(to, { force: true })
    writeFileSync(`${to}.partial`, 'left over', { mode: 0o644 })
    await runBackup({ to })
    assert.equal(statSync(to).mode & 0o777, 0o600)
    // The log of attempts too (it names the files and their errors)
    assert.equal(statSync(join(dir, 'backups.log.jsonl')).mode & 0o777, 0o600)
  }).timeout(60_000)

  test('a backup never replaces a file: --to naming the live database or an earlier backup is refused', async ({ assert }) => {
    // What `pos:backup --to storage/pos.sqlite3` did: the database became gzip data
    const live = join(dir, 'live.sqlite3')
    writeFileSync(live, 'SQLite format 3')
    await assert.rejects(() => runBackup({ to: live }), /exists: a backup never replaces a file/)
    assert.equal(readFileSync(live, 'utf8'), 'SQLite format 3')
    const { path } = await runBackup({ to: join(dir, 'once.jsonl.gz') })
    const before = readFileSync(path)
    await assert.rejects(() => runBackup({ to: path }), /exists/)
    assert.deepEqual(readFileSync(path), before)
  }).timeout(60_000)

  test('--to a folder that is not there (a USB disk not mounted) is refused in one line, nothing made', async ({ assert }) => {
    await createStore()
    // The backup was written into a folder made on the root disk where the disk was to be mounted
    const unmounted = join(dir, 'usb-disk')
    const run = await ace(['pos:backup', '--to', join(unmounted, 'store.jsonl.gz')], { BACKUP_DIR: dir })
    assert.equal(run.code, 1, run.out)
    const lines = run.out.trim().split('\n')
    assert.lengthOf(lines, 1, run.out)
    assert.include(lines[0], `the folder ${unmounted} does not exist`)
    assert.isFalse(existsSync(unmounted), 'no folder is made')
    // The disk's own path, as an admin types it: no file called usb-disk either
    await assert.rejects(() => runBackup({ to: unmounted }), /the folder .*usb-disk does not exist/)
    await assert.rejects(() => runBackup({ to: `${unmounted}/` }), /the folder .*usb-disk does not exist/)
    assert.isFalse(existsSync(unmounted))
    // Once it is there (mounted), the backup goes into it under its usual name
    mkdirSync(unmounted)
    const { path } = await runBackup({ to: unmounted })
    assert.lengthOf(backupsIn(unmounted), 1)
    assert.equal(join(unmounted, backupsIn(unmounted)[0]), path)
  }).timeout(90_000)
})
