import db from '@adonisjs/lucid/services/db'
import type { createStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'

/*
| A count sheet posted as its page posts it (stocktake_big_sheet.spec.ts, stocktake_refusals.spec.ts)
*/

/** Products made fast: one insert per 500, stocked at 5, with no ledger (this is about the form) */
export async function bulkProducts(fixture: Awaited<ReturnType<typeof createStore>>, count: number) {
  const now = dbTimestamp()
  const rows = Array.from({ length: count }, (_, i) => ({ store_id: fixture.store.id, category_id: fixture.category.id, name: `Bulk ${String(i).padStart(5, '0')}`, sku: `BULK-${fixture.tag}-${i}`, price: 100, cost: 40, stock: 5, created_at: now, updated_at: now }))
  for (let i = 0; i < rows.length; i += 500) await db.insertQuery().table('products').multiInsert(rows.slice(i, i + 500))
}

/** The fields the sheet's form sends, in its order, as Chromium serializes it: enabled inputs only */
export function formFields(html: string, action: string) {
  const form = html.slice(html.indexOf(`action="${action}"`))
  const fields: [string, string, boolean][] = []
  for (const tag of form.slice(0, form.indexOf('</form>')).match(/<input[^>]*>/g) ?? []) {
    const name = tag.match(/name="([^"]*)"/)?.[1]
    if (name && name !== '_csrf') fields.push([name, tag.match(/value="([^"]*)"/)?.[1] ?? '', /\sdisabled\b/.test(tag)])
  }
  return fields
}

/** The body the sheet's page sends with every count line typed as `count(productId)` says, typed a second before */
export function typedSheet(fields: [string, string, boolean][], count: (productId: number) => string) {
  const typedAt = Date.now() - 1000
  const body: Record<string, string> = {}
  for (const [name, value, disabled] of fields) {
    if (name.startsWith('counted[')) body[name] = count(Number(name.slice(9, -1)))
    else if (name.startsWith('typed[')) body[name] = String(typedAt)
    else if (name === 'sent') body[name] = String(typedAt + 1000)
    else if (!disabled) body[name] = value
  }
  return body
}
