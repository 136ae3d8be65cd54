import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Actor } from '#staff/actor'
import { DomainError, notFound } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { publish } from '#events/domain_events'
import { MAX_COUNT } from '#inventory/stock_service'
import { checkInteger, field, lockProducts, writeLedger } from '#inventory/stock_ledger'
import { SHEET_LINE_LIMIT } from '#platform/form_limits'

/*
| Stocktakes: a count sheet of a category (or the store) with what the system expects, counts
| saved with the stock on hand when each was typed (the sheet's page says how long before the save
| each line was typed; without it, the save's time), and a manager's approval that posts each
| variance from that stock as a 'count' movement of the ledger, in one transaction.
*/

/**
 * The units each product's stock moved by after a time of its own (stock movements are dated to the
 * second): what separates the stock on hand now from the stock when its count was typed. A sheet
 * is posted whole, often long after its first lines were counted: a sale in between was taken off
 * the stock the count was saved against but was still on the shelf when counted, so its approval
 * put the sold units back (and a delivery in between was lost). Offline sales are dated when they
 * were made. One query for the whole sheet (it was one a line, inside the save's transaction): the
 * movements since the earliest time, summed by product and second, then each line takes its own.
 */
async function movedSince(trx: TransactionClientContract, since: Map<number, string>) {
  const moved = new Map<number, number>()
  const now = dbTimestamp()
  const past = [...since].filter(([, at]) => at < now)
  if (!past.length) return moved
  const earliest = past.reduce((min, [, at]) => (at < min ? at : min), past[0][1])
  const ids = past.map(([productId]) => productId)
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await trx.from('stock_movements').whereIn('product_id', ids.slice(i, i + 1000)).where('created_at', '>', earliest).groupBy('product_id', 'created_at').select('product_id', 'created_at').sum('quantity as moved')
    for (const row of rows) {
      const productId = Number(row.product_id)
      if (dbTimestamp(readTimestamp(row.created_at)) > since.get(productId)!) moved.set(productId, (moved.get(productId) ?? 0) + Number(row.moved))
    }
  }
  return moved
}

export default class StocktakeService {
  /** A count sheet of every active product of a category (or of the store), with what the system expects */
  async createStocktake(actor: Actor, categoryId: number | null) {
    let name = 'All products'
    // null: every product. Any other value names a category of the store ("abc" arrives as NaN, and
    // was taken as no category: a whole-store count started)
    if (categoryId !== null) {
      const category = Number.isSafeInteger(categoryId) && categoryId > 0 ? await db.from('categories').where({ id: categoryId, store_id: actor.store.id }).first() : null
      if (!category) throw field('This category does not exist', 'category_id', 'unknown_category')
      name = category.name
    }
    return inTransaction(async (trx) => {
      const products = trx.from('products').where('store_id', actor.store.id).whereNull('archived_at').select('id', 'stock')
      if (categoryId !== null) products.where('category_id', categoryId)
      const rows = await products.orderBy('id')
      if (!rows.length) throw field('There are no products to count here', 'category_id', 'nothing_to_count')
      if (rows.length > SHEET_LINE_LIMIT) {
        throw field(`A count sheet takes at most ${SHEET_LINE_LIMIT.toLocaleString('en-US')} products and this one would have ${rows.length.toLocaleString('en-US')}: count one category at a time`, 'category_id', 'sheet_too_big')
      }
      const [id] = await trx.table('stocktakes').insert({ store_id: actor.store.id, category_id: categoryId, name, status: 'counting', created_by: actor.user.id, created_at: dbTimestamp() })
      const stocktakeId = Number(id)
      for (let i = 0; i < rows.length; i += 500) {
        await trx.insertQuery().table('stocktake_lines').multiInsert(rows.slice(i, i + 500).map((r) => ({ stocktake_id: stocktakeId, product_id: r.id, expected: r.stock, counted: null })))
      }
      return stocktakeId
    })
  }

  async stocktake(storeId: number, id: number) {
    const stocktake = await db.from('stocktakes').where({ id, store_id: storeId }).first()
    if (!stocktake) throw notFound('The stocktake')
    const lines = await db
      .from('stocktake_lines')
      .join('products', 'products.id', 'stocktake_lines.product_id')
      .where('stocktake_id', id)
      .orderBy('products.name')
      .select('stocktake_lines.*', 'products.name', 'products.sku', 'products.stock')
    return { ...stocktake, lines }
  }

  async stocktakes(storeId: number) {
    return db.from('stocktakes').where('store_id', storeId).orderBy('id', 'desc').limit(100)
  }

  /**
   * Saves counts typed on the sheet (blank = not counted yet). `typedAgo`: how long before the save
   * the count was typed (ms, measured by the sheet's page), when it says. `wholeSheet`: the page
   * sends every line, so a sheet arriving with fewer lost some on the way and is refused whole.
   * A count that is not a believable whole number ("1O") does not stop the others: every good line
   * is saved (a manager who typed 400 counts and made one typo kept none of them) and the bad ones
   * are answered, each with its error on counts.N.counted, to be fixed and saved again.
   */
  async saveCounts(actor: Actor, stocktakeId: number, counts: { productId: number; counted: number | null; typedAgo?: number | null }[], options: { wholeSheet?: boolean } = {}) {
    const refused: { index: number; error: DomainError }[] = []
    const good = counts.filter((c, index) => {
      if (c.counted === null) return true
      try {
        checkInteger(c.counted, `counts.${index}.counted`, 0, MAX_COUNT, 'A count')
        return true
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        refused.push({ index, error })
        return false
      }
    })
    await inTransaction(async (trx) => {
      const stocktake = await trx.from('stocktakes').where({ id: stocktakeId, store_id: actor.store.id }).forUpdate().first()
      if (!stocktake) throw notFound('The stocktake')
      if (stocktake.status !== 'counting') throw new DomainError('This stocktake is closed', { status: 409, code: 'stocktake_closed' })
      const ids = counts.map((c) => c.productId)
      // Every line of the sheet (a whole store's is thousands: no list of ids to bind)
      const saved = new Map((await trx.from('stocktake_lines').where('stocktake_id', stocktakeId).select('product_id', 'counted')).map((l) => [Number(l.product_id), l.counted === null ? null : Number(l.counted)]))
      const arrived = new Set(ids.filter((productId) => saved.has(productId))).size
      if (options.wholeSheet && arrived < saved.size) {
        throw new DomainError(`Only ${arrived} of this sheet's ${saved.size} lines arrived (the form was cut short on its way): nothing of it was saved.`, { status: 422, code: 'sheet_incomplete', field: 'counts' })
      }
      // The sheet is posted whole: a count unchanged keeps the stock on hand of when it was typed
      const changed = good.filter((c) => saved.has(c.productId) && saved.get(c.productId) !== c.counted)
      const now = Date.now()
      const started = readTimestamp(stocktake.created_at).getTime()
      // When: an offline sale made before it and synced after puts it right (counts_after_offline_sales.ts)
      const countedAt = new Map(changed.filter((c) => c.counted !== null).map((c) => [c.productId, dbTimestamp(new Date(Math.max(started, now - Math.max(0, c.typedAgo ?? 0))))]))
      const stock = new Map<number, number>()
      const countedIds = [...countedAt.keys()]
      for (let i = 0; i < countedIds.length; i += 1000) {
        for (const p of await trx.from('products').where('store_id', actor.store.id).whereIn('id', countedIds.slice(i, i + 1000)).select('id', 'stock')) stock.set(Number(p.id), Number(p.stock))
      }
      const moved = await movedSince(trx, countedAt)
      for (const c of changed) {
        if (c.counted === null) {
          await trx.from('stocktake_lines').where({ stocktake_id: stocktakeId, product_id: c.productId }).update({ counted: null, counted_at_stock: null, counted_at: null })
          continue
        }
        const atCount = (stock.get(c.productId) ?? 0) - (moved.get(c.productId) ?? 0)
        await trx.from('stocktake_lines').where({ stocktake_id: stocktakeId, product_id: c.productId }).update({ counted: c.counted, counted_at_stock: atCount, counted_at: countedAt.get(c.productId) })
      }
    })
    /** counted: the sheet's lines sent with a good count (blank ones are not counted) */
    return { counted: good.filter((c) => c.counted !== null).length, refused }
  }

  /**
   * A manager approves the counts: each counted product's variance against the stock on hand
   * when it was counted is posted as a 'count' movement, so what was sold or received since the
   * count stays counted (against the stock at approval, every sale made while the sheet was open
   * was undone). Lines left blank are not changed.
   */
  async approveStocktake(actor: Actor, stocktakeId: number) {
    if (!actor.user.isManager) throw new DomainError('A manager approves stocktakes', { status: 403, code: 'forbidden' })
    const result = await inTransaction(async (trx) => {
      const stocktake = await trx.from('stocktakes').where({ id: stocktakeId, store_id: actor.store.id }).forUpdate().first()
      if (!stocktake) throw notFound('The stocktake')
      if (stocktake.status !== 'counting') throw new DomainError('This stocktake was already approved', { status: 409, code: 'stocktake_closed' })
      const lines = (await trx.from('stocktake_lines').where('stocktake_id', stocktakeId).whereNotNull('counted').orderBy('product_id')) as any[]
      if (!lines.length) throw field('Nothing was counted yet', 'counts', 'nothing_counted')
      const products = await lockProducts(trx, actor.store.id, lines.map((l) => Number(l.product_id)))
      const now = dbTimestamp()
      const variances: { productId: number; quantity: number }[] = []
      for (const line of lines) {
        const onHand = Number(products.get(Number(line.product_id))?.stock ?? 0)
        // A line counted before counted_at_stock was kept: against the stock now, as then
        const expected = line.counted_at_stock === null ? onHand : Number(line.counted_at_stock)
        const variance = Number(line.counted) - expected
        await trx.from('stocktake_lines').where('id', line.id).update({ expected, variance })
        // What is posted: the variance, but not below nothing on hand where the store keeps stock
        // from going negative (more sold since the count than it found means the count was short)
        const posted = actor.store.allowNegativeStock ? variance : Math.max(variance, -onHand)
        if (posted !== 0) {
          variances.push({ productId: Number(line.product_id), quantity: posted })
          await trx.from('products').where('id', line.product_id).update({ stock: onHand + posted, updated_at: now })
        }
      }
      await writeLedger(trx, actor, variances, 'count', 'stocktake', stocktakeId, `Stocktake: ${stocktake.name}`)
      await trx.from('stocktakes').where('id', stocktakeId).update({ status: 'approved', approved_by: actor.user.id, approved_at: now })
      await recordAudit({ action: 'stocktake_approved', storeId: actor.store.id, userId: actor.user.id, subjectType: 'stocktake', subjectId: stocktakeId, data: { variances: variances.length }, ip: actor.ip }, trx)
      return variances
    })
    if (result.length) publish('stock:changed', { storeId: actor.store.id, reason: 'count', productIds: result.map((v) => v.productId) })
    return result
  }
}
