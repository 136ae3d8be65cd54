/*
| Helpers of node ace pos:bench-offline (files starting with "_" are not commands): the catalog's
| rows as the till reads them, and a queue of offline sales built with the core's own code
| (priceOfflineCart, offlineAmountDue, sealOfflineSale), as the browser's till builds them.
*/
import { randomUUID } from 'node:crypto'
import { offlineAmountDue, priceOfflineCart, sealOfflineSale, type OfflineItem, type OfflinePayment, type OfflineSaleBody } from '#core/offline_sale'

export interface TillSettings {
  store: { id: number; prices_include_tax: boolean; cash_rounding: number }
  tax_rates: { tax_class: string; rate_ppm: number }[]
  user: { id: number }
}

export interface CatalogProduct {
  id: number
  name: string
  sku: string
  price: number
  tax_class: string
  active: boolean
}

/** A product of a catalog page's rows (arrays in the order of its fields) */
export function productOfRow(fields: readonly string[], row: unknown[]): CatalogProduct {
  const p = Object.fromEntries(fields.map((field, i) => [field, row[i]])) as any
  return { id: p.id, name: p.name, sku: p.sku, price: p.price, tax_class: p.tax_class, active: p.active }
}

/**
 * `count` offline sales of 1 to 5 lines each from the catalog, paid in cash (one in four by the card
 * terminal), numbered and linked from the register's head as the till does it offline, oldest first
 */
export async function buildOfflineSales(
  count: number,
  products: CatalogProduct[],
  settings: TillSettings,
  device: { deviceId: string; registerId: number },
  head: { last_number: number; last_hash: string | null },
  random: () => number = Math.random
): Promise<OfflineSaleBody[]> {
  const rates = new Map(settings.tax_rates.map((r) => [r.tax_class, r.rate_ppm]))
  const sellable = products.filter((p) => p.active)
  const sales: OfflineSaleBody[] = []
  let current = { ...head }
  // One second apart, ending now: the device's clock to the second, as the hash takes it
  const start = Math.floor(Date.now() / 1000) - count
  for (let n = 0; n < count; n++) {
    const items: OfflineItem[] = []
    const lines = 1 + Math.floor(random() * 5)
    for (let i = 0; i < lines; i++) {
      const product = sellable[Math.floor(random() * sellable.length)]
      items.push({
        product_id: product.id,
        name: product.name,
        sku: product.sku,
        quantity: 1 + Math.floor(random() * 3),
        list_price: product.price,
        unit_price: product.price,
        tax_class: product.tax_class,
        tax_rate_ppm: rates.get(product.tax_class) ?? 0,
        discount_type: null,
        discount_value: 0,
      })
    }
    const priced = await priceOfflineCart(items, { type: null, value: 0 }, { id: settings.store.id, pricesIncludeTax: settings.store.prices_include_tax })
    const method: OfflinePayment['method'] = n % 4 === 3 ? 'card_external' : 'cash'
    const amount = offlineAmountDue(priced.total, [], method, settings.store.cash_rounding)
    const payments: OfflinePayment[] = [method === 'cash' ? { method, amount, tendered: amount, reference: null } : { method, amount, tendered: null, reference: `BENCH-${n + 1}` }]
    const sale = sealOfflineSale(
      {
        client_uuid: randomUUID(),
        device_id: device.deviceId,
        register_id: device.registerId,
        user_id: settings.user.id,
        completed_at: new Date((start + n) * 1000).toISOString(),
        cart_discount_type: null,
        cart_discount_value: 0,
        items,
        payments,
      },
      priced,
      current,
      settings.store.id
    )
    current = { last_number: sale.number, last_hash: sale.hash }
    sales.push(sale)
  }
  return sales
}
