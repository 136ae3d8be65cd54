import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { backupDir } from '#platform/backup_folder'

/*
| An empty BACKUP_DIR (`BACKUP_DIR=` in .env, or a spec putting back a value that was never set)
| put the backups and their log in the app's own folder: the test suite left backups.log.jsonl in
| the checkout's root
*/
test.group('The backups folder', () => {
  test('an empty BACKUP_DIR is the default folder, not the app root', ({ assert }) => {
    const previous = env.get('BACKUP_DIR')
    try {
      env.set('BACKUP_DIR', '')
      assert.equal(backupDir(), app.makePath('storage/backups'))
      env.set('BACKUP_DIR', 'tmp/elsewhere')
      assert.equal(backupDir(), app.makePath('tmp/elsewhere'))
    } finally {
      env.set('BACKUP_DIR', previous ?? '')
    }
  })
})
