import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import { createStore } from '#tests/fixtures'
import { appFolderProblem } from '#platform/app_folders'

/*
| The app's tmp/ holds the product CSV uploads (docs/deploy.md: with storage/, the only folders
| the app writes). One the app's user may not write (its chown forgotten, a read-only mount)
| started a server whose every CSV upload was answered "This file is too large" (or a 500 when
| tmp/imports was not made yet). pos:start now names the folder and does not start; an upload
| that cannot be stored says so. Immutable folders (chattr +i): root may write a chmod 555 one.
*/
const run = promisify(execFile)

test.group('The tmp folder', () => {
  test('a CSV upload that cannot be stored says the server cannot keep it, not that the file is too large', async ({ client, assert, cleanup }) => {
    // A tmp/ of this test's own: CI runs three suites side by side in one checkout, and the
    // shared tmp/imports made immutable failed another suite's upload meanwhile (EPERM)
    const own = await mkdtemp(join(app.makePath('tmp'), 'tmp-folder-'))
    const shared = app.rcFile.directories.tmp
    app.rcFile.directories.tmp = own
    const folder = app.tmpPath('imports')
    await mkdir(folder, { recursive: true })
    await run('chattr', ['+i', folder])
    cleanup(async () => {
      await run('chattr', ['-i', folder]).catch(() => {})
      app.rcFile.directories.tmp = shared
      await rm(own, { recursive: true, force: true })
    })
    const fixture = await createStore()
    const response = await client
      .post('/backoffice/products/import')
      .file('file', Buffer.from('sku,name,price\nTEA-1,Tea,1.00\n'), { filename: 'products.csv', contentType: 'text/csv' })
      .withCsrfToken()
      .loginAs(fixture.users.manager)
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/backoffice/products/import')
    const message = (response.flashMessages().inputErrorsBag as any).file[0]
    assert.notInclude(message, 'too large')
    assert.equal(message, 'The server cannot keep the uploaded file (its folder tmp/imports cannot be written: EPERM). Tell the administrator.')
  })

  test('pos:start\u2019s check: a folder that cannot be written, or cannot be made, is named with the reason', async ({ assert, cleanup }) => {
    const dir = await mkdtemp(join(app.makePath('tmp'), 'app-folders-'))
    cleanup(async () => {
      await run('chattr', ['-i', join(dir, 'locked')]).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    })
    assert.isNull(await appFolderProblem(join(dir, 'tmp')), 'a folder not made yet whose parent may be written: fine')
    await mkdir(join(dir, 'locked'))
    await run('chattr', ['+i', join(dir, 'locked')])
    assert.equal(await appFolderProblem(join(dir, 'locked')), `the folder ${join(dir, 'locked')} cannot be written (EPERM)`)
    assert.equal(await appFolderProblem(join(dir, 'locked', 'tmp')), `the folder ${join(dir, 'locked', 'tmp')} cannot be made in ${join(dir, 'locked')} (EPERM)`)
  })
})
