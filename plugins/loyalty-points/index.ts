import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { definePlugin, type PluginSettings } from '#plugins/contracts/plugin'
import type { LoyaltyContext, LoyaltyProgram } from '#plugins/contracts/loyalty'
import { DomainError } from '#exceptions/domain_error'
import { inTransaction } from '#platform/db_transaction'
import { formatMoney } from '#core/money'

/*
| Loyalty points: a customer earns points per currency unit spent (not on what was paid with
| points), redeems them as a tender worth point_value each, and a refund takes back the points
| its part of the sale earned. What a refund pays back in points comes back as points, and a void
| undoes the sale's points. A ledger of rows; the balance is their sum.
*/

const TABLE = 'loyalty_points_ledger'
/** The tender the till offers when the program is enabled */
export const POINTS_METHOD = 'loyalty_points'

const digitsCache = new Map<string, number>()
function unitOf(currency: string): number {
  let digits = digitsCache.get(currency)
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
    digitsCache.set(currency, digits)
  }
  return 10 ** digits
}

function now() {
  return new Date().toISOString().slice(0, 19).replace('T', ' ')
}

export class LoyaltyPoints implements LoyaltyProgram {
  readonly id = 'loyalty-points'
  readonly pointsPerUnit: number
  readonly pointValue: number
  readonly minRedeem: number

  constructor(settings: PluginSettings) {
    this.pointsPerUnit = Math.max(0, Math.floor(Number(settings.points_per_unit ?? 1)))
    this.pointValue = Math.max(1, Math.floor(Number(settings.point_value ?? 1)))
    this.minRedeem = Math.max(1, Math.floor(Number(settings.min_redeem ?? 100)))
  }

  async points(client: QueryClientContract, storeId: number, customerId: number): Promise<number> {
    const row = await client.from(TABLE).where({ store_id: storeId, customer_id: customerId }).sum('points as total').first()
    return Number(row?.total ?? 0)
  }

  async balance({ storeId, customerId, client }: LoyaltyContext) {
    const points = await this.points(client, storeId, customerId)
    return { points, value: points * this.pointValue }
  }

  /** Points for an amount spent (minor units): whole points, rounded down */
  async pointsFor(client: QueryClientContract, storeId: number, amount: number): Promise<number> {
    if (amount <= 0) return 0
    const store = await client.from('stores').where('id', storeId).select('currency').first()
    return Math.floor((amount * this.pointsPerUnit) / unitOf(store?.currency ?? 'USD'))
  }

  async earn({ storeId, customerId, client, saleId, amount }: LoyaltyContext & { saleId: number; amount: number }) {
    const points = await this.pointsFor(client, storeId, amount)
    if (points <= 0) return { points: 0 }
    const key = `earn:${saleId}`
    if (await client.from(TABLE).where('dedupe_key', key).first()) return { points: 0 }
    await client.table(TABLE).insert({ store_id: storeId, customer_id: customerId, sale_id: saleId, reason: 'earn', points, dedupe_key: key, created_at: now() })
    return { points }
  }

  async redeem({ storeId, customerId, client, saleId, amount }: LoyaltyContext & { saleId: number; amount: number }) {
    // Points are worth whole point_values: the amount must be a multiple of one
    if (amount % this.pointValue !== 0) {
      const store = await client.from('stores').where('id', storeId).select('currency').first()
      throw new DomainError(`Points pay in steps of ${formatMoney(this.pointValue, store?.currency ?? 'USD')}, the value of a point`, { code: 'points_step', field: 'amount' })
    }
    const points = amount / this.pointValue
    if (points < this.minRedeem) {
      throw new DomainError(`At least ${this.minRedeem} points are redeemed at a time`, { code: 'points_below_minimum', field: 'amount' })
    }
    // Lock the customer's rows so two tills cannot spend the same points
    await client.from('customers').where('id', customerId).forUpdate().first()
    const balance = await this.points(client, storeId, customerId)
    if (balance < points) {
      throw new DomainError(`The customer has ${balance} points; ${points} are needed`, { status: 409, code: 'points_short', field: 'amount' })
    }
    await client.table(TABLE).insert({ store_id: storeId, customer_id: customerId, sale_id: saleId, reason: 'redeem', points: -points, created_at: now() })
    return { points }
  }

  async reverse({ storeId, customerId, client, saleId, refundId, amount }: LoyaltyContext & { saleId: number; refundId: number; amount: number }) {
    const key = `reverse:${refundId}`
    if (await client.from(TABLE).where('dedupe_key', key).first()) return { points: 0 }
    const rows = await client.from(TABLE).where({ sale_id: saleId }).whereIn('reason', ['earn', 'reverse']).select('points')
    const stillEarned = rows.reduce((sum, r) => sum + Number(r.points), 0)
    const points = Math.min(stillEarned, await this.pointsFor(client, storeId, amount))
    if (points <= 0) return { points: 0 }
    await client.table(TABLE).insert({
      store_id: storeId, customer_id: customerId, sale_id: saleId, refund_id: refundId, reason: 'reverse', points: -points, dedupe_key: key, created_at: now(),
    })
    return { points }
  }

  async giveBack({ storeId, customerId, client, saleId, refundId }: LoyaltyContext & { saleId: number; refundId: number; amount: number }) {
    const key = `give-back:${refundId}`
    if (await client.from(TABLE).where('dedupe_key', key).first()) return { points: 0 }
    // Whole points of what all the sale's refunds paid in points (this one's rows are written),
    // less those given back before: a refund's share of the points tender is any number of cents,
    // and rounding each refund's alone gave back more, or less, than was paid
    const paid = await client
      .from('refund_payments')
      .join('refunds', 'refunds.id', 'refund_payments.refund_id')
      .where('refunds.sale_id', saleId)
      .where('refund_payments.method', POINTS_METHOD)
      .sum('refund_payments.amount as total')
      .first()
    const given = await client.from(TABLE).where({ sale_id: saleId, reason: 'give_back' }).sum('points as total').first()
    const points = Math.floor(Number(paid?.total ?? 0) / this.pointValue) - Number(given?.total ?? 0)
    if (points <= 0) return { points: 0 }
    await client.table(TABLE).insert({ store_id: storeId, customer_id: customerId, sale_id: saleId, refund_id: refundId, reason: 'give_back', points, dedupe_key: key, created_at: now() })
    return { points }
  }

  /** A points payment taken off an open sale: what it spent comes back (once per payment) */
  async restore({ storeId, customerId, client, saleId, paymentId, amount }: LoyaltyContext & { saleId: number; paymentId: number; amount: number }) {
    const key = `restore:${paymentId}`
    if (await client.from(TABLE).where('dedupe_key', key).first()) return { points: 0 }
    const points = Math.floor(amount / this.pointValue)
    if (points <= 0) return { points: 0 }
    await client.table(TABLE).insert({ store_id: storeId, customer_id: customerId, sale_id: saleId, reason: 'restore', points, dedupe_key: key, created_at: now() })
    return { points }
  }

  async saleVoided({ storeId, customerId, client, saleId }: LoyaltyContext & { saleId: number }) {
    const key = `void:${saleId}`
    if (await client.from(TABLE).where('dedupe_key', key).first()) return { points: 0 }
    const row = await client.from(TABLE).where({ sale_id: saleId }).sum('points as total').first()
    const net = Number(row?.total ?? 0)
    if (net === 0) return { points: 0 }
    await client.table(TABLE).insert({ store_id: storeId, customer_id: customerId, sale_id: saleId, reason: 'void', points: -net, dedupe_key: key, created_at: now() })
    return { points: -net }
  }
}

export default definePlugin({
  setup(host, context) {
    const program = new LoyaltyPoints(context.settings)
    host.loyaltyProgram(program)

    // Earn when a sale with a customer completes: on what was paid other than with points
    host.on('sale:completed', async ({ saleId, storeId, customerId }) => {
      // Most sales have no customer: nothing to read then
      if (customerId === null) return
      await inTransaction(async (trx) => {
        // Under the sale's row lock, which a void takes: a void cannot commit between this read and the earn.
        // The customer's row too, which an erasure takes: one erased after the sale completed, before this ran, earns nothing
        const sale = await trx
          .from('sales')
          .leftJoin('customers', 'customers.id', 'sales.customer_id')
          .where({ 'sales.id': saleId, 'sales.store_id': storeId })
          .forUpdate()
          .select('sales.customer_id', 'sales.total', 'sales.status', 'customers.erased_at')
          .first()
        // A sale voided before this ran (its void undid the points it had then) earns nothing
        if (!sale?.customer_id || sale.status !== 'completed' || sale.erased_at) return
        const paid = await trx.from('payments').where({ sale_id: saleId, method: POINTS_METHOD, status: 'approved' }).sum('amount as total').first()
        await program.earn({ storeId, customerId: Number(sale.customer_id), client: trx, saleId, amount: Number(sale.total) - Number(paid?.total ?? 0) })
      })
    })

    // A refund takes back what its part of the sale earned
    host.on('sale:refunded', async ({ refundId, saleId, storeId, total }) => {
      await inTransaction(async (trx) => {
        const sale = await trx.from('sales').where({ id: saleId, store_id: storeId }).select('customer_id').first()
        if (!sale?.customer_id) return
        await program.reverse({ storeId, customerId: Number(sale.customer_id), client: trx, saleId, refundId, amount: total })
      })
    })
    context.log.info('Loyalty points enabled', { pointsPerUnit: program.pointsPerUnit, pointValue: program.pointValue })
  },
})
