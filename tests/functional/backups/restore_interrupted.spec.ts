import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import appEnv from '#start/env'
import { createStore } from '#tests/fixtures'
import { interruptedRestore } from '#backups/restore_guard'
import { ace, scratchTarget, type Run } from './helpers.js'

/*
| pos:restore stopped halfway: Ctrl-C (SIGINT) or SIGTERM once the tables were dropped ended it
| with exit 130, the schema half built and no rows, and `npm start` then migrated the rest and
| offered /setup. Now the signal is waited out; a restore killed outright (kill -9, a power cut)
| leaves restore-in-progress.json in BACKUP_DIR, and pos:start refuses that database until a
| restore of it has finished.
*/

/**
 * pos:restore FILE --force, sent `signal` once it has backed up what it replaces (it drops the
 * tables next); SIGKILL once it has marked the restore started (else it may land before the drop)
 */
function restoreAndSignal(file: string, env: Record<string, string>, signal: NodeJS.Signals): Promise<Run> {
  const marker = join(env.BACKUP_DIR, 'restore-in-progress.json')
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['ace.js', 'pos:restore', file, '--force'], {
      cwd: app.makePath(),
      env: { PLUGINS_PATH: 'plugins:tests/fixtures/plugins', ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let sent = false
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    const send = () => {
      sent = true
      child.kill(signal)
    }
    const read = (chunk: Buffer) => {
      out += chunk
      if (sent || !out.includes('backed up what is replaced')) return
      if (signal !== 'SIGKILL') return send()
      const poll = setInterval(() => {
        if (existsSync(marker) || child.exitCode !== null) {
          clearInterval(poll)
          if (child.exitCode === null) send()
        }
      }, 2)
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (code, killedBy) => {
      clearTimeout(timer)
      resolve({ code: code ?? (killedBy === 'SIGKILL' ? 137 : 130), out })
    })
  })
}

test.group('A restore stopped halfway', (group) => {
  let dir: string
  let backup: string
  let products: number
  group.setup(async () => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'restore-stopped-'))
    // Rows enough that the restore takes a moment after its backup
    const fixture = await createStore()
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
    for (let i = 0; i < 10; i++) {
      const rows = Array.from({ length: 300 }, (_, j) => ({ store_id: fixture.store.id, name: randomBytes(20).toString('hex'), sku: `R-${fixture.tag}-${i}-${j}`, price: 100, cost: 0, created_at: now, updated_at: now }))
      await db.table('products').multiInsert(rows)
    }
    products = Number((await db.from('products').count('* as n'))[0].n)
    backup = join(dir, 'source.jsonl.gz')
    const made = await ace(['pos:backup', '--to', backup], { BACKUP_DIR: join(dir, 'made') })
    if (made.code !== 0) throw new Error(made.out)
    return () => rmSync(dir, { recursive: true, force: true })
  })

  test('{signal} once the tables are dropped is waited out: the restore finishes whole')
    .with([{ signal: 'SIGINT' as const }, { signal: 'SIGTERM' as const }])
    .run(async ({ assert }, { signal }) => {
      const target = await scratchTarget()
      const env = { ...target.env, BACKUP_DIR: join(dir, `${signal}-backups`) }
      try {
        assert.equal((await ace(['pos:restore', backup], env)).code, 0)
        const run = await restoreAndSignal(backup, env, signal)
        assert.equal(run.code, 0, run.out)
        assert.include(run.out, `${signal}: a restore cannot stop halfway`)
        assert.include(run.out, 'restored')
        assert.equal(Number((await db.connection(target.name).from('products').count('* as n'))[0].n), products)
        assert.isFalse(existsSync(join(env.BACKUP_DIR, 'restore-in-progress.json')))
      } finally {
        await target.drop()
      }
    })
    .timeout(180_000)

  test('killed outright: pos:start refuses the database, naming the files, until a restore has finished', async ({ assert }) => {
    const target = await scratchTarget()
    const env = { ...target.env, BACKUP_DIR: join(dir, 'killed-backups'), BACKUP_EVERY: '0' }
    try {
      assert.equal((await ace(['pos:restore', backup], env)).code, 0)
      const killed = await restoreAndSignal(backup, env, 'SIGKILL')
      assert.equal(killed.code, 137, killed.out)

      const port = String(Number(process.env.PORT) + 36)
      const refused = await ace(['pos:start'], { ...env, PORT: port }, undefined, 60_000)
      assert.equal(refused.code, 1, refused.out)
      assert.include(refused.out, `a restore of ${backup} started at`)
      assert.include(refused.out, `Run node ace pos:restore ${backup} --force again (or ${join(env.BACKUP_DIR, 'pos-backup-')}`)

      // Another database (the test run's own) is not held up by it: the marker names the one restored into
      const before = appEnv.get('BACKUP_DIR')
      appEnv.set('BACKUP_DIR', env.BACKUP_DIR)
      try {
        assert.include(interruptedRestore(target.name), 'did not finish')
        assert.isNull(interruptedRestore(db.primaryConnectionName))
      } finally {
        appEnv.set('BACKUP_DIR', before as string)
        if (before === undefined) delete process.env.BACKUP_DIR
      }

      const again = await ace(['pos:restore', backup, '--force'], env)
      assert.equal(again.code, 0, again.out)
      assert.isFalse(existsSync(join(env.BACKUP_DIR, 'restore-in-progress.json')))
      assert.equal(Number((await db.connection(target.name).from('products').count('* as n'))[0].n), products)
    } finally {
      await target.drop()
    }
  }).timeout(240_000)
})
