import { sha256Hex } from './sha256.js'

/*
| Each completed sale carries the hash of its content and of the previous sale of its register,
| so that altering or removing a sale breaks the chain from that point on. The hash is SHA-256 of
| the JSON of the content's fields in a fixed order (sha256.ts, the same on the server and in a browser).
*/

export interface ChainedSale {
  storeId: number
  registerId: number
  number: number
  completedAt: string
  subtotal: number
  discountTotal: number
  taxTotal: number
  total: number
  items: { productId: number; quantity: number; unitPrice: number; total: number }[]
  payments: { method: string; amount: number }[]
}

export function saleHash(previousHash: string | null, sale: ChainedSale): string {
  const content = [
    previousHash ?? '',
    sale.storeId,
    sale.registerId,
    sale.number,
    sale.completedAt,
    sale.subtotal,
    sale.discountTotal,
    sale.taxTotal,
    sale.total,
    sale.items.map((i) => [i.productId, i.quantity, i.unitPrice, i.total]),
    sale.payments.map((p) => [p.method, p.amount]),
  ]
  return sha256Hex(JSON.stringify(content))
}

/*
| Refunds and voids are links of the same chain: each register has one chain of completed
| sales, refunds and voids, whose head is registers.last_sale_hash.
*/

export interface ChainedRefund {
  storeId: number
  registerId: number
  saleId: number
  createdAt: string
  reason: string
  total: number
  taxTotal: number
  items: { saleItemId: number; productId: number; quantity: number; amount: number; restock: boolean }[]
  payments: { method: string; amount: number }[]
}

export function refundHash(previousHash: string | null, refund: ChainedRefund): string {
  const content = [
    previousHash ?? '',
    'refund',
    refund.storeId,
    refund.registerId,
    refund.saleId,
    refund.createdAt,
    refund.reason,
    refund.total,
    refund.taxTotal,
    refund.items.map((i) => [i.saleItemId, i.productId, i.quantity, i.amount, i.restock ? 1 : 0]),
    refund.payments.map((p) => [p.method, p.amount]),
  ]
  return sha256Hex(JSON.stringify(content))
}

export interface ChainedVoid {
  storeId: number
  registerId: number
  saleId: number
  /** The voided sale's own link, so the void cannot be moved onto another sale */
  saleHash: string
  voidedAt: string
  voidedBy: number
  reason: string
}

export function voidHash(previousHash: string | null, record: ChainedVoid): string {
  const content = [
    previousHash ?? '',
    'void',
    record.storeId,
    record.registerId,
    record.saleId,
    record.saleHash,
    record.voidedAt,
    record.voidedBy,
    record.reason,
  ]
  return sha256Hex(JSON.stringify(content))
}
