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

/*
| The hardware bridge's server side: a completed sale queues its receipt for the register's
| printer (when it has one and a paired bridge). The sale has committed already and is never
| held up by a printer: a failure here is logged, and the till shows the printer's state.
*/
emitter.on('sale:completed', async (event) => {
  const kinds = await Device.kindsOf(event.registerId)
  if (!kinds.has('printer') && !kinds.has('display')) return
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

/** The receipt view-model for templates that have the sale loaded (till/_receipt.edge) */
edge.global('receiptOf', buildReceipt)

app.terminating(() => dispatcher.closeAll())
