import emitter from '@adonisjs/core/services/emitter'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import edge from 'edge.js'
import Store from '#models/store'
import Device from '#models/device'
import { queueDisplay, queueSaleReceipt } from '#hardware/jobs'
import { formatMoney } from '#core/money'
import { dispatcher } from '#hardware/dispatcher'
import { buildReceipt } from '#sales/receipt_service'
import { openDrawerForRefund, openDrawerForSale } from '#hardware/cash_drawer'

/*
| The hardware bridge's server side: a completed sale opens the cash drawer when it took cash
| (cash_drawer.ts), queues its receipt for the register's printer and shows its total on the
| customer display (when the register has them and a paired bridge); a refund paid in cash opens
| the drawer. The sale has committed already and is never held up by a device: a failure here is
| logged, and the till shows the printer's state. A sale made offline and synced later does none
| of these: its receipt was printed from the browser and its cash taken when it was made.
*/
emitter.on('sale:completed', async (event) => {
  if (event.madeOffline) return
  const kinds = await Device.kindsOf(event.registerId)
  if (!kinds.has('printer') && !kinds.has('display') && !kinds.has('drawer')) return
  try {
    // First, so the drawer opens while the receipt prints
    if (kinds.has('drawer')) await openDrawerForSale(event)
  } catch (error) {
    logger.error({ err: error, saleId: event.saleId }, 'could not open the cash drawer for sale %s', event.saleId)
  }
  try {
    if (kinds.has('printer')) await queueSaleReceipt(event.saleId)
  } catch (error) {
    logger.error({ err: error, saleId: event.saleId }, 'could not queue the receipt of sale %s', event.saleId)
  }
  try {
    // the customer display shows the total of the sale just completed
    const store = kinds.has('display') ? await Store.find(event.storeId) : null
    if (store) await queueDisplay(event.registerId, [`Total ${formatMoney(event.total, store.currency)}`, 'Thank you!'])
  } catch (error) {
    logger.error({ err: error, saleId: event.saleId }, 'could not update the customer display')
  }
})

emitter.on('sale:refunded', async (event) => {
  try {
    if ((await Device.kindsOf(event.registerId)).has('drawer')) await openDrawerForRefund(event)
  } catch (error) {
    logger.error({ err: error, refundId: event.refundId }, 'could not open the cash drawer for refund %s', event.refundId)
  }
})

/** The receipt view-model for templates that have the sale loaded (till/_receipt.edge) */
edge.global('receiptOf', buildReceipt)

app.terminating(() => dispatcher.closeAll())
