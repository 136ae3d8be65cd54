import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { EventsList } from '@adonisjs/core/types'

/*
| The domain's events. They are published after the transaction that made the change has
| committed, so a listener (live updates, plugins, the bridge) never sees a change that was
| rolled back. A listener that throws is logged and never breaks the request that published.
*/

export interface SaleCompletedEvent {
  saleId: number
  storeId: number
  registerId: number
  number: number
  total: number
  /** Products whose stock the sale moved (listeners read the new figures) */
  productIds: number[]
  /** The sale's customer (null: none), when the publisher has it at hand (else listeners read it) */
  customerId?: number | null
  /** The sale's payments by tender, when the publisher has them at hand (else listeners read them) */
  tenders?: { method: string; amount: number }[]
  /** Made on the offline till and recorded at its sync: its receipt was given and its cash taken then */
  madeOffline?: boolean
}

export interface SaleRefundedEvent {
  refundId: number
  saleId: number
  storeId: number
  registerId: number
  total: number
}

export interface StockChangedEvent {
  storeId: number
  reason: string
  productIds: number[]
}

export interface ShiftClosedEvent {
  shiftId: number
  storeId: number
  registerId: number
}

declare module '@adonisjs/core/types' {
  interface EventsList {
    'sale:completed': SaleCompletedEvent
    'sale:refunded': SaleRefundedEvent
    'stock:changed': StockChangedEvent
    'shift:closed': ShiftClosedEvent
  }
}

/** Publishes a committed change; never throws into the caller */
export function publish<Name extends keyof EventsList>(name: Name, data: EventsList[Name]): void {
  emitter.emit(name, data).catch((error) => {
    logger.error({ err: error, event: name }, 'A listener of %s failed', name)
  })
}
