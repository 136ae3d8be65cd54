import { createHash } from 'node:crypto'

/*
| Each completed sale carries the hash of its content and of the previous sale of its register,
| so that altering or removing a sale breaks the chain from that point on.
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
  return createHash('sha256').update(JSON.stringify(content)).digest('hex')
}
