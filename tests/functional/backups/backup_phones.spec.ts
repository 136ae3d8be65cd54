import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import Customer from '#models/customer'
import { createStore } from '#tests/fixtures'
import { runBackup } from '#backups/backup_service'
import { ace, rewriteBackup, scratchTarget } from './helpers.js'

/*
| A backup from before migration 0119 (customers.phone_reversed) restores with the column filled
| from each customer's phone, so a search by a number's last digits finds them as it finds the
| customers saved since (tests/functional/customers/phone_search.spec.ts).
*/

let dir: string
const previousDir = env.get('BACKUP_DIR')

test.group('Backups: customers’ phones from before migration 0119', (group) => {
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backups-'))
    env.set('BACKUP_DIR', dir)
    return () => {
      env.set('BACKUP_DIR', previousDir ?? '')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the restore fills phone_reversed of a backup that has no such column', async ({ assert }) => {
    const fixture = await createStore()
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada Lovelace', phone: '+12125550100' })
    const { path } = await runBackup({ to: join(dir, 'phones.jsonl.gz') })
    // As that version wrote it: no migration 0119 in its schema, no column in the customers' rows
    const old = join(dir, 'before-phones.jsonl.gz')
    rewriteBackup(path, old, (lines, manifest) => {
      for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !name.includes('0119_customer_phone_reversed'))
      let at = -1
      for (const line of lines) {
        if (!Array.isArray(line)) {
          at = line.table === 'customers' ? line.columns.indexOf('phone_reversed') : -1
          if (at >= 0) line.columns.splice(at, 1)
        } else if (at >= 0) line.splice(at, 1)
      }
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const row = await db.connection(target.name).from('customers').where('id', customer.id).first()
      assert.equal(row.phone_reversed, '00105552121')
    } finally {
      await target.drop()
    }
  }).timeout(180_000)
})
