import db from '@adonisjs/lucid/services/db'
import { pluginRegistry } from '#plugins/registry'
import logger from '@adonisjs/core/services/logger'

/** A customer's points balance for the receipt and the till, when a loyalty program is enabled */
export async function loyaltyBalanceFor(sale: { storeId: number; customerId: number | null }) {
  const program = pluginRegistry.loyaltyProgram()
  if (!program || !sale.customerId) return null
  try {
    return await program.balance({ storeId: sale.storeId, customerId: sale.customerId, client: db.connection() })
  } catch (error) {
    // A failing plugin never stops a receipt from printing
    logger.error({ err: error, plugin: program.id }, 'The loyalty balance could not be read')
    return null
  }
}
