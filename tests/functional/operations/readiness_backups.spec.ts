import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { backupDiskCheck } from '#platform/health'

/*
| /health/ready when backups cannot be made: they are a warning, the tills still sell. A full
| backup disk answered 503 (a load balancer then took a server whose database was fine out of
| service), and a backup folder that cannot be written answered "ok" while every scheduled
| backup failed.
*/

const run = promisify(execFile)
const ready = async () => {
  const response = await fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`)
  return { status: response.status, body: (await response.json()) as { checks: { name: string; status: string; message: string }[] } }
}

test.group('Readiness and backups', () => {
  test('a full backup disk is a warning, not a 503', async ({ assert }) => {
    const full = await backupDiskCheck(async () => ({ free: 0, size: 1_000_000 })).run()
    assert.equal(full.status, 'warning')
    assert.include(full.message, '100%')
    const nearly = await backupDiskCheck(async () => ({ free: 50_000, size: 1_000_000 })).run()
    assert.equal(nearly.status, 'warning')
    assert.equal((await backupDiskCheck(async () => ({ free: 500_000, size: 1_000_000 })).run()).status, 'ok')
  })

  test('a backup folder that cannot be written is a warning naming why; one not made yet is fine', async ({ assert, cleanup }) => {
    const dir = await mkdtemp(join(app.makePath('tmp'), 'ready-backups-'))
    const locked = join(dir, 'locked')
    await mkdir(locked)
    // Immutable: not even root may write in it, as in a read-only mount
    await run('chattr', ['+i', locked])
    const before = env.get('BACKUP_DIR')
    cleanup(async () => {
      env.set('BACKUP_DIR', before as string)
      if (before === undefined) delete process.env.BACKUP_DIR
      await run('chattr', ['-i', locked]).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    })
    const check = async () => {
      const { status, body } = await ready()
      return { status, backups: body.checks.find((c) => c.name === 'backups_writable') }
    }

    env.set('BACKUP_DIR', join(dir, 'not-yet', 'made'))
    assert.deepInclude((await check()).backups, { status: 'ok' })

    for (const folder of [locked, join(locked, 'not-made')]) {
      env.set('BACKUP_DIR', folder)
      const { status, backups } = await check()
      assert.equal(status, 200)
      assert.deepEqual(backups, { name: 'backups_writable', status: 'warning', message: 'The backup folder cannot be written (EPERM): backups fail' })
    }
  })
})
