import db from '@adonisjs/lucid/services/db'
import type { SaleCompletedEvent, SaleRefundedEvent } from '#events/domain_events'
import { paymentMethod } from '#sales/payment_methods'
import { activeBridge, drawerOf, queueDrawerPulse } from '#hardware/jobs'

/*
| The cash drawer opens for the cash a sale takes or a refund pays back, as a till's drawer does:
| a sale completed with cash among its tenders, a refund paid (partly) in cash. Until 2026-12-07 it
| opened only for Open drawer, which the audit log records as a no-sale: a store that sold for cash
| had every sale's drawer opening logged as one. Queued before the sale's receipt, so the drawer
| opens while the receipt prints; once per sale or refund (its job's unique key), however often the
| event is heard; now or never, as every drawer kick (momentary.ts). A sale made offline and synced
| later opens nothing: its cash went into the drawer when it was made.
*/

const isCash = (method: string) => paymentMethod(method)?.isCash === true

/** Whether cash changed hands in the sale: from the event's tenders, else its approved payments */
async function saleTookCash(event: SaleCompletedEvent) {
  if (event.tenders) return event.tenders.some((tender) => isCash(tender.method))
  const methods = await db.from('payments').where({ sale_id: event.saleId, status: 'approved' }).distinct('method')
  return methods.some((row) => isCash(String(row.method)))
}

async function refundPaidCash(event: SaleRefundedEvent) {
  const methods = await db.from('refund_payments').where('refund_id', event.refundId).distinct('method')
  return methods.some((row) => isCash(String(row.method)))
}

/** The drawer's kick, when the register has a drawer and a paired bridge (else the cashier opens it by key) */
async function kick(storeId: number, registerId: number, job: { saleId?: number; uniqueKey: string }) {
  const [drawer, bridge] = await Promise.all([drawerOf(storeId, registerId), activeBridge(registerId)])
  if (!drawer || !bridge) return null
  return queueDrawerPulse(drawer, job)
}

/** A completed sale's drawer kick, when it took cash at the till now */
export async function openDrawerForSale(event: SaleCompletedEvent) {
  if (event.madeOffline || !(await saleTookCash(event))) return null
  return kick(event.storeId, event.registerId, { saleId: event.saleId, uniqueKey: `drawer:sale:${event.saleId}` })
}

/** A refund's drawer kick, when it paid cash back */
export async function openDrawerForRefund(event: SaleRefundedEvent) {
  if (!(await refundPaidCash(event))) return null
  return kick(event.storeId, event.registerId, { uniqueKey: `drawer:refund:${event.refundId}` })
}
