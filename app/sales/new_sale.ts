import { DateTime } from 'luxon'
import type Sale from '#models/sale'
import type Payment from '#models/payment'
import type { DiscountType } from '#core/tax'
import { balanceDue } from '#core/pricing'
import { insertStatement, sqlDateTime, type InsertedId, type Statement } from '#platform/sql_batch'

/*
| A sale made in one request (the API's POST /api/sales, an exchange's new sale) and the payments
| taken in a request, as plain data: they are priced, completed, written as rows and answered,
| never read back in that request. As Lucid models (a Proxy on every field read and write, the
| columns prepared one by one) they were a twentieth of an API sale's server CPU. They carry the
| same camelCase fields as the Sale and Payment models, so pricing, completion and the API's
| JSON take either (SaleFields, PaymentFields); a sale or payment read back later is a model.
*/

/** What pricing, payments and completion read and set on a sale: a Sale model or a NewSale */
export type SaleFields = Pick<
  Sale,
  | 'id' | 'storeId' | 'registerId' | 'userId' | 'customerId' | 'shiftId' | 'status' | 'channel' | 'number'
  | 'subtotal' | 'discountTotal' | 'taxTotal' | 'total' | 'paidTotal' | 'changeDue' | 'roundingTotal'
  | 'cartDiscountType' | 'cartDiscountValue' | 'previousHash' | 'hash' | 'completedAt' | 'createdAt' | 'balanceDue'
>

/** What the API's JSON and the hash chain read of a payment: a Payment model or a NewPayment */
export type PaymentFields = Pick<Payment, 'id' | 'saleId' | 'method' | 'amount' | 'tendered' | 'change' | 'reference' | 'status' | 'createdAt'>

export class NewSale implements SaleFields {
  /** 0 until its row is written */
  id = 0
  storeId: number
  registerId: number
  userId: number
  customerId: number | null
  shiftId: number | null = null
  status: Sale['status'] = 'open'
  channel: Sale['channel']
  number: number | null = null
  subtotal = 0
  discountTotal = 0
  taxTotal = 0
  total = 0
  paidTotal = 0
  changeDue = 0
  roundingTotal = 0
  cartDiscountType: DiscountType | null = null
  cartDiscountValue = 0
  previousHash: string | null = null
  hash: string | null = null
  completedAt: DateTime | null = null
  /** A sale made offline (a held sale a manager records): its till's UUID and device */
  clientUuid: string | null = null
  deviceId: string | null = null
  /** Set when its row is written */
  createdAt!: DateTime

  constructor(fields: { storeId: number; registerId: number; userId: number; customerId: number | null; channel: Sale['channel'] }) {
    this.storeId = fields.storeId
    this.registerId = fields.registerId
    this.userId = fields.userId
    this.customerId = fields.customerId
    this.channel = fields.channel
  }

  /** What is still owed, after payments and cash rounding (as Sale's) */
  get balanceDue() {
    return balanceDue(this)
  }
}

export class NewPayment implements PaymentFields {
  /** 0 until its row is written */
  id = 0
  saleId = 0
  storeId: number
  userId: number
  method: string
  amount: number
  tendered: number | null
  change: number
  reference: string | null
  status: string
  /** Set when its row is written */
  createdAt!: DateTime

  constructor(fields: Pick<NewPayment, 'storeId' | 'userId' | 'method' | 'amount' | 'tendered' | 'change' | 'reference' | 'status'>) {
    this.storeId = fields.storeId
    this.userId = fields.userId
    this.method = fields.method
    this.amount = fields.amount
    this.tendered = fields.tendered
    this.change = fields.change
    this.reference = fields.reference
    this.status = fields.status
  }
}

/** The INSERT of a new sale's row; created_at is now (Luxon's clock, as a model's save() takes it) */
export function newSaleInsert(sale: NewSale): Statement {
  sale.createdAt = DateTime.local()
  const at = sqlDateTime(sale.createdAt)
  return insertStatement('sales', [
    {
      store_id: sale.storeId,
      register_id: sale.registerId,
      user_id: sale.userId,
      customer_id: sale.customerId,
      shift_id: sale.shiftId,
      status: sale.status,
      channel: sale.channel,
      number: sale.number,
      subtotal: sale.subtotal,
      discount_total: sale.discountTotal,
      tax_total: sale.taxTotal,
      total: sale.total,
      paid_total: sale.paidTotal,
      change_due: sale.changeDue,
      rounding_total: sale.roundingTotal,
      cart_discount_type: sale.cartDiscountType,
      cart_discount_value: sale.cartDiscountValue,
      previous_hash: sale.previousHash,
      hash: sale.hash,
      completed_at: sale.completedAt ? sqlDateTime(sale.completedAt) : null,
      ...(sale.clientUuid ? { client_uuid: sale.clientUuid, device_id: sale.deviceId } : {}),
      created_at: at,
      updated_at: at,
    },
  ])
}

/** The INSERT of a new payment's row, for its sale (an id, or the sale's INSERT in the same batch) */
export function newPaymentInsert(payment: NewPayment, saleId: number | InsertedId): Statement {
  payment.createdAt = DateTime.local()
  const at = sqlDateTime(payment.createdAt)
  return insertStatement('payments', [
    {
      sale_id: saleId,
      store_id: payment.storeId,
      user_id: payment.userId,
      method: payment.method,
      amount: payment.amount,
      tendered: payment.tendered,
      change: payment.change,
      reference: payment.reference,
      status: payment.status,
      created_at: at,
      updated_at: at,
    },
  ])
}
