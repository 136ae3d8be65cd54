import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import { priceCart } from '#core/pricing'
import { flatLineTax } from '#core/tax_math'
import { roundToIncrement } from '#core/money'
import { offlineSaleHash } from '#core/offline_sale'
import type Product from '#models/product'
import type User from '#models/user'
import type { TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| A till that sells offline, for the tests: it holds its register's head (last number and hash),
| prices and pays a sale with the same pricing and money code as the server, links it to the chain,
| and keeps it queued until it syncs. The browser's offline till does the same with the same code.
*/

export interface DeviceLine {
  product: Product
  quantity: number
  taxRatePpm?: number
  unitPrice?: number
  discount?: { type: 'percent' | 'amount'; value: number }
}

export class TestDevice {
  readonly deviceId = randomUUID()
  lastNumber = 0
  lastHash: string | null = null
  queue: any[] = []

  constructor(
    readonly fixture: TestStore,
    readonly registerId = fixture.register.id
  ) {}

  as(client: any, method: 'get' | 'post', url: string, user = this.fixture.users.cashier) {
    return client[method](url).loginAs(user).withCsrfToken().withCookie(REGISTER_COOKIE, String(this.registerId))
  }

  /** The lease asked for (or renewed) as `user`'s till does, saying how many sales it holds; the head kept here is left as it is */
  lease(client: any, user: User, pending: number) {
    return this.as(client, 'post', '/till/offline/lease', user).json({ device_id: this.deviceId, register_id: this.registerId, pending })
  }

  async takeLease(client: any, pending = 0) {
    const answer = await this.as(client, 'post', '/till/offline/lease').json({ device_id: this.deviceId, register_id: this.registerId, pending })
    if (answer.status() === 200) {
      this.lastNumber = answer.body().last_number
      this.lastHash = answer.body().last_hash
    }
    return answer
  }

  /** A sale made with the server out of reach: numbered and linked here, queued */
  async sell(lines: DeviceLine[], options: { cash?: boolean; tendered?: number; cartDiscount?: { type: 'percent' | 'amount'; value: number }; at?: DateTime; seller?: User } = {}) {
    const { store } = this.fixture
    const items = lines.map((line) => ({
      product_id: line.product.id,
      name: line.product.name,
      sku: line.product.sku,
      quantity: line.quantity,
      list_price: line.product.price,
      unit_price: line.unitPrice ?? line.product.price,
      tax_class: line.product.taxClass,
      tax_rate_ppm: line.taxRatePpm ?? (line.product.taxClass === 'reduced' ? 20000 : line.product.taxClass === 'zero' ? 0 : 80000),
      discount_type: line.discount?.type ?? null,
      discount_value: line.discount?.value ?? 0,
    }))
    const priced = await priceCart(
      items.map((item, index) => ({ key: index, quantity: item.quantity, unitPrice: item.unit_price, taxClass: item.tax_class, discountType: item.discount_type, discountValue: item.discount_value })),
      { type: options.cartDiscount?.type ?? null, value: options.cartDiscount?.value ?? 0 },
      {
        calculate: (taxable, context) => ({
          lines: new Map(taxable.map((t) => [t.key, items[Number(t.key)].tax_rate_ppm ? [{ code: t.taxClass, name: t.taxClass, ratePpm: items[Number(t.key)].tax_rate_ppm, amount: flatLineTax(t.amount, items[Number(t.key)].tax_rate_ppm, context.pricesIncludeTax) }] : []])),
        }),
      },
      { storeId: store.id, pricesIncludeTax: store.pricesIncludeTax }
    )
    const cash = options.cash ?? true
    const due = cash ? roundToIncrement(priced.total, store.cashRounding) : priced.total
    const payments = cash
      ? [{ method: 'cash', amount: due, tendered: options.tendered ?? due, reference: null }]
      : [{ method: 'card_external', amount: due, tendered: null, reference: 'AUTH123' }]
    const number = this.lastNumber + 1
    const completedAt = (options.at ?? DateTime.utc()).toUTC().startOf('second').toISO()!
    const sale = {
      client_uuid: randomUUID(),
      device_id: this.deviceId,
      register_id: this.registerId,
      user_id: (options.seller ?? this.fixture.users.cashier).id,
      number,
      previous_hash: this.lastHash,
      completed_at: completedAt,
      cart_discount_type: options.cartDiscount?.type ?? null,
      cart_discount_value: options.cartDiscount?.value ?? 0,
      items,
      payments,
      subtotal: priced.subtotal,
      discount_total: priced.discountTotal,
      tax_total: priced.taxTotal,
      total: priced.total,
      rounding: due - priced.total,
      hash: '',
    }
    sale.hash = offlineSaleHash(store.id, sale, this.lastHash, priced.lines.map((line) => line.total))
    this.lastNumber = number
    this.lastHash = sale.hash
    this.queue.push(sale)
    return sale
  }

  /** Takes back the last sale made (the server would not record it): the head is where it was before it */
  unsell(sale: { number: number; previous_hash: string | null }) {
    this.lastNumber = sale.number - 1
    this.lastHash = sale.previous_hash
    this.queue.pop()
  }

  /** A manager frees the register from this device: online sales on it are anyone's again */
  release(client: any) {
    return client.post(`/backoffice/offline/registers/${this.registerId}/release`).loginAs(this.fixture.users.manager).withCsrfToken().redirects(0)
  }

  /** Sends sales as the till does: one register's, oldest first, in one batch; answers 200 with a result per sale */
  sync(client: any, ...sales: any[]) {
    return this.as(client, 'post', '/till/offline/sales').json({ sales })
  }

  /** Sends the whole queue in one batch and asserts every sale was recorded now */
  async syncAll(client: any, assert: { deepEqual(a: unknown, b: unknown, message?: string): void }) {
    const answer = await this.sync(client, ...this.queue)
    assert.deepEqual([answer.status(), ...(answer.body().results ?? []).map((r: any) => r.outcome)], [200, ...this.queue.map(() => 'recorded')], JSON.stringify(answer.body()))
    return answer
  }
}
