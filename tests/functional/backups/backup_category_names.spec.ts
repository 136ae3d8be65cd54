import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import Category from '#models/category'
import { createProduct, createStore } from '#tests/fixtures'
import { runBackup } from '#backups/backup_service'
import { ace, editRow, rewriteBackup, scratchTarget, sqlite } from './helpers.js'

/*
| A SQLite backup from before migration 0125 may hold two categories of one name in another case
| ("General" and "GENERAL"): the restore loads them as they were, then merges them into the oldest
| as the migration does (products moved, the merge audited), and makes SQLite's unique index again.
| Without this, the index of 0125 refused the backup's second row and the restore failed.
| (MariaDB's key on (store_id, name) never held such a pair.) Since migration 0144 one name is one
| key (app/core/name_key.ts) on both databases: a backup from before it, whose SQLite kept
| "Épicerie" beside "épicerie", failed to restore into MariaDB on its unique key; its categories
| are keyed and merged now, on either database.
*/

/** A backup's categories as before migration 0144 wrote them: no name_key column, the migration out of its schema */
function withoutNameKeys(lines: any[], manifest: any, alsoBefore?: string) {
  const gone = ['0144_category_name_key', ...(alsoBefore ? [alsoBefore] : [])]
  for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !gone.some((g) => name.includes(g)))
  let at = -1
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (!Array.isArray(line)) {
      at = line.table === 'categories' ? line.columns.indexOf('name_key') : -1
      if (at >= 0) line.columns.splice(at, 1)
    } else if (at >= 0) line.splice(at, 1)
  }
}

let dir: string
const previousDir = env.get('BACKUP_DIR')

test.group('Backups: categories of one name from before 0125', (group) => {
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backups-'))
    env.set('BACKUP_DIR', dir)
    return () => {
      env.set('BACKUP_DIR', previousDir ?? '')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a SQLite backup holding "General" and "GENERAL" restores with them merged into the oldest', async ({ assert }) => {
    if (!sqlite()) return
    const fixture = await createStore()
    const other = await Category.create({ storeId: fixture.store.id, name: 'Snacks', color: null, position: 0 })
    const product = await createProduct(fixture)
    await db.from('products').where('id', product.id).update({ category_id: other.id })
    const { path } = await runBackup({ to: join(dir, 'categories.jsonl.gz') })
    const old = join(dir, 'before-0125.jsonl.gz')
    rewriteBackup(path, old, (lines, manifest) => {
      editRow(lines, 'categories', (row) => Number(row.id) === other.id, (row) => (row.name = 'GENERAL'))
      withoutNameKeys(lines, manifest, '0125_category_name_unique')
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const restored = db.connection(target.name)
      const names = await restored.from('categories').where('store_id', fixture.store.id).select('id', 'name')
      assert.deepEqual(names.map((c) => [Number(c.id), c.name]), [[fixture.category.id, 'General']])
      assert.equal(Number((await restored.from('products').where('id', product.id).first()).category_id), fixture.category.id)
      assert.equal(Number((await restored.from('audit_logs').where({ store_id: fixture.store.id, action: 'categories_merged' }).count('* as n').first()).n), 1)
      const now = new Date().toISOString()
      await assert.rejects(() => restored.table('categories').insert({ store_id: fixture.store.id, name: 'general', name_key: 'general', position: 0, created_at: now, updated_at: now }))
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('a backup from before the name keys holding "Épicerie" and "épicerie" (SQLite kept both) restores, on either database, with them merged', async ({ assert }) => {
    const fixture = await createStore()
    const food = await Category.create({ storeId: fixture.store.id, name: 'Épicerie', color: null, position: 0 })
    const other = await Category.create({ storeId: fixture.store.id, name: 'Snacks', color: null, position: 0 })
    const product = await createProduct(fixture)
    await db.from('products').where('id', product.id).update({ category_id: other.id })
    const { path } = await runBackup({ to: join(dir, 'accents.jsonl.gz') })
    const old = join(dir, 'before-0144.jsonl.gz')
    rewriteBackup(path, old, (lines, manifest) => {
      editRow(lines, 'categories', (row) => Number(row.id) === other.id, (row) => (row.name = 'épicerie'))
      withoutNameKeys(lines, manifest)
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const restored = db.connection(target.name)
      const names = await restored.from('categories').where('store_id', fixture.store.id).orderBy('id').select('id', 'name', 'name_key')
      assert.deepEqual(names.map((c) => [Number(c.id), c.name, c.name_key]), [[fixture.category.id, 'General', 'general'], [food.id, 'Épicerie', 'epicerie']])
      assert.equal(Number((await restored.from('products').where('id', product.id).first()).category_id), food.id)
      const merged = await restored.from('audit_logs').where({ store_id: fixture.store.id, action: 'categories_merged' }).select('data')
      assert.deepEqual(merged.map((m) => JSON.parse(m.data)), [{ kept: { id: food.id, name: 'Épicerie' }, merged: [{ id: other.id, name: 'épicerie' }], products: 1 }])
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('a backup from before 0145 holding "Tea" + U+200B beside "Tea" (each keyed by 0144) restores, on either database, with them merged', async ({ assert }) => {
    const fixture = await createStore()
    const tea = await Category.create({ storeId: fixture.store.id, name: 'Tea', color: null, position: 0 })
    const other = await Category.create({ storeId: fixture.store.id, name: 'Snacks', color: null, position: 0 })
    const product = await createProduct(fixture)
    await db.from('products').where('id', product.id).update({ category_id: other.id })
    const { path } = await runBackup({ to: join(dir, 'invisible.jsonl.gz') })
    const old = join(dir, 'before-0145.jsonl.gz')
    rewriteBackup(path, old, (lines, manifest) => {
      editRow(lines, 'categories', (row) => Number(row.id) === other.id, (row) => Object.assign(row, { name: 'Tea\u200B', name_key: 'tea\u200b' }))
      for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !name.includes('0145_category_name_key_invisible'))
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const restored = db.connection(target.name)
      const names = await restored.from('categories').where('store_id', fixture.store.id).orderBy('id').select('id', 'name', 'name_key')
      assert.deepEqual(names.map((c) => [Number(c.id), c.name, c.name_key]), [[fixture.category.id, 'General', 'general'], [tea.id, 'Tea', 'tea']])
      assert.equal(Number((await restored.from('products').where('id', product.id).first()).category_id), tea.id)
    } finally {
      await target.drop()
    }
  }).timeout(180_000)
})
