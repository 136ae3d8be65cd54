import { DateTime } from 'luxon'
import { csvStream } from '#platform/csv_writer'
import Customer from '#models/customer'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import type Store from '#models/store'
import type User from '#models/user'
import { DomainError } from '#exceptions/domain_error'
import { affectedRows, inTransaction } from '#platform/db_transaction'
import { recordAudit } from '#platform/audit_service'
import { minorToDecimal } from '#core/money'
import { paymentJson, saleItemJson } from '#sales/api_presenters'
import { customerJson } from '#customers/customer_presenters'
import { erasedError } from '#customers/customer_service'

export interface PrivacyActor {
  user: User
  ip?: string | null
}

/**
 * A customer's rights over their data (GDPR / CCPA): an export of everything the POS holds
 * about them, and erasure. Erasure anonymises the customer row instead of deleting it, so the
 * sales they made stay in the books (totals, taxes, the hash chain) without their name.
 * Both are admin actions, written to the audit log without any of the personal data.
 */
export default class CustomerPrivacyService {
  /** Everything about the customer: their row, and their sales with lines and payments */
  async exportData(store: Store, customer: Customer, actor: PrivacyActor, format: 'json' | 'csv') {
    if (customer.erasedAt) {
      throw new DomainError('This customer was erased: there is no personal data left to export', { status: 409, code: 'customer_erased' })
    }
    const sales = await Sale.query().where({ store_id: store.id, customer_id: customer.id }).preload('register').orderBy('id')
    const saleIds = sales.map((s) => s.id)
    const [items, payments] = saleIds.length
      ? await Promise.all([
          SaleItem.query().whereIn('sale_id', saleIds).orderBy('sale_id').orderBy('position'),
          Payment.query().whereIn('sale_id', saleIds).orderBy('id'),
        ])
      : [[], []]
    await recordAudit({
      action: 'customer_exported',
      storeId: store.id,
      userId: actor.user.id,
      subjectType: 'customer',
      subjectId: customer.id,
      data: { format, sales: sales.length },
      ip: actor.ip,
    })
    return {
      exported_at: DateTime.utc().toISO(),
      store: { id: store.id, name: store.name, currency: store.currency, time_zone: store.timeZone },
      customer: customerJson(customer),
      sales: sales.map((sale) => ({
        id: sale.id,
        number: sale.number,
        status: sale.status,
        channel: sale.channel,
        register: sale.register?.name ?? null,
        note: sale.note,
        subtotal: sale.subtotal,
        discount_total: sale.discountTotal,
        tax_total: sale.taxTotal,
        total: sale.total,
        rounding: sale.roundingTotal,
        paid_total: sale.paidTotal,
        change_due: sale.changeDue,
        completed_at: sale.completedAt?.toISO() ?? null,
        created_at: sale.createdAt?.toISO() ?? null,
        items: items.filter((i) => i.saleId === sale.id).map(saleItemJson),
        payments: payments.filter((p) => p.saleId === sale.id).map(paymentJson),
      })),
    }
  }

  /**
   * The same export as one CSV for a spreadsheet: a row per record (the customer, each sale,
   * line and payment), amounts as decimals of the store's currency. A cell starting with
   * = + - @ (or a tab or carriage return) gets a leading ' so a spreadsheet never runs it (csv_writer.ts);
   * a phone too (+1555…): docs/customers.md says why no other way is safe. Times are the sales
   * lines export's: the store's zone with its offset, to the second, in every row (the customer's
   * row read "…+00:00" and the sales' "…Z", some with milliseconds).
   */
  toCsv(data: Awaited<ReturnType<CustomerPrivacyService['exportData']>>) {
    const currency = data.store.currency
    const zone = data.store.time_zone
    const time = (iso: string | null | undefined) => (iso ? DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ") : '')
    const amount = (minor: number | null | undefined) => (minor === null || minor === undefined ? '' : minorToDecimal(minor, currency))
    const rows: Record<string, string | number | null>[] = []
    const c = data.customer
    rows.push({ record: 'customer', id: c.id, date: time(c.created_at), name: c.name, email: c.email, phone: c.phone, notes: c.notes })
    for (const sale of data.sales) {
      rows.push({
        record: 'sale', id: sale.id, sale_id: sale.id, date: time(sale.completed_at ?? sale.created_at), name: sale.number ? `Sale #${sale.number}` : `Sale ${sale.id}`,
        notes: sale.note, status: sale.status, discount: amount(sale.discount_total), tax: amount(sale.tax_total), total: amount(sale.total), currency,
      })
      for (const item of sale.items) {
        rows.push({
          record: 'line', id: item.id, sale_id: sale.id, name: item.name, sku: item.sku, quantity: item.quantity, unit_price: amount(item.unit_price),
          discount: amount(item.discount), tax: amount(item.tax), total: amount(item.total), currency,
        })
      }
      for (const payment of sale.payments) {
        rows.push({
          record: 'payment', id: payment.id, sale_id: sale.id, date: time(payment.created_at), status: payment.status, method: payment.method,
          reference: payment.reference, total: amount(payment.amount), currency,
        })
      }
    }
    return csvStream([...CSV_COLUMNS], rows.map((row) => CSV_COLUMNS.map((column) => row[column] ?? '')), { bom: true })
  }

  /**
   * Removes the customer's personal data for good; their completed (and voided) sales stay,
   * linked to the anonymised row. A sale not yet completed (open at a till, or parked) goes on
   * without a customer: no one can spend or earn the points of an erased account, and before,
   * such a cart was still paid with their points and earned more on completion.
   */
  async erase(store: Store, customerId: number, actor: PrivacyActor) {
    return inTransaction(async (trx) => {
      // Their sales first, then the customer: the order a payment or a refund takes them in (the
      // sale, then its customer's points), so they queue instead of deadlocking
      const sales = await trx.from('sales').where({ store_id: store.id, customer_id: customerId }).orderBy('id').forUpdate().select('id')
      const customer = await Customer.query({ client: trx }).where({ id: customerId, store_id: store.id }).forUpdate().first()
      if (!customer) throw new DomainError('The customer was not found', { status: 404, code: 'not_found' })
      if (customer.erasedAt) throw erasedError()
      // A parked sale's note is free text that may name them; amounts, lines and the chain are untouched
      await trx.from('sales').where({ store_id: store.id, customer_id: customer.id }).whereNotNull('note').update({ note: null })
      // An UPDATE reads the rows as they are now: a cart given this customer while the erasure waited is unlinked too
      const unlinked = await trx.from('sales').where({ store_id: store.id, customer_id: customer.id }).whereIn('status', ['open', 'parked']).update({ customer_id: null })
      customer.useTransaction(trx)
      customer.merge({ name: `Erased customer #${customer.id}`, email: null, phone: null, notes: null, erasedAt: DateTime.utc() })
      await customer.save()
      // An API client's retried create or update would replay the stored answer: keep it anonymous too
      await trx
        .from('idempotency_keys')
        .whereIn('path', ['/api/customers', `/api/customers/${customer.id}`])
        .where('response_body', 'like', `{"id":${customer.id},%`)
        .update({ response_body: JSON.stringify(customerJson(customer)) })
      await recordAudit(
        {
          action: 'customer_erased',
          storeId: store.id,
          userId: actor.user.id,
          subjectType: 'customer',
          subjectId: customer.id,
          data: { sales: sales.length, unlinked: affectedRows(unlinked) },
          ip: actor.ip,
        },
        trx
      )
      return customer
    })
  }
}

const CSV_COLUMNS = [
  'record', 'id', 'sale_id', 'date', 'name', 'email', 'phone', 'notes', 'status', 'sku', 'quantity',
  'unit_price', 'discount', 'tax', 'total', 'currency', 'method', 'reference',
]
