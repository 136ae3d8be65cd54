/*
| The loyalty extension point: earn on a sale, redeem as a tender, take back on a refund, give
| back what a refund pays in points, give back a points payment taken off an open sale, undo a
| voided sale's points, and show a customer's balance. Amounts are minor units; points are whole numbers.
*/
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

export interface LoyaltyContext {
  storeId: number
  customerId: number
  /** The transaction of the sale or refund: write through it, so points commit with the sale */
  client: QueryClientContract
}

export interface LoyaltyProgram {
  readonly id: string
  /** Points balance and its value in minor units */
  balance(context: LoyaltyContext): Promise<{ points: number; value: number }>
  /**
   * Points for a completed sale with a customer. The core never calls it: the plugin calls it
   * from its own sale:completed listener, in a transaction of its own (loyalty-points does)
   */
  earn(context: LoyaltyContext & { saleId: number; amount: number }): Promise<{ points: number }>
  /** Redeems points worth `amount` as a tender; throws a DomainError when the balance is short */
  redeem(context: LoyaltyContext & { saleId: number; amount: number }): Promise<{ points: number }>
  /** Takes back what the refunded part earned. The core never calls it: the plugin's own sale:refunded listener does */
  reverse(context: LoyaltyContext & { saleId: number; refundId: number; amount: number }): Promise<{ points: number }>
  /**
   * Called inside the refund's transaction when it pays `amount` (minor units) back in points: a
   * sale paid with points gets them back, or a manager refunds to points as store credit
   */
  giveBack(context: LoyaltyContext & { saleId: number; refundId: number; amount: number }): Promise<{ points: number }>
  /**
   * Called inside the cart's transaction when a points payment (`paymentId`, worth `amount`) is
   * taken off a sale not completed yet: the points it spent come back to the customer
   */
  restore(context: LoyaltyContext & { saleId: number; paymentId: number; amount: number }): Promise<{ points: number }>
  /** Called inside the void's transaction: the sale's points, earned and redeemed, are undone */
  saleVoided(context: LoyaltyContext & { saleId: number }): Promise<{ points: number }>
}
