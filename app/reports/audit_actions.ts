/*
| Each action the app writes to the audit log, in plain words for the audit page's column and its
| filter (the page showed `register_lease_taken`). The identifier stays what is stored, filtered on
| in URLs and exported in the CSV (accountants' and scripts' key); only the page says the words.
| tests/unit/audit_actions.spec.ts reads every writer of an entry in app/ and database/ (migrations
| wrote some) and fails on an action with no words here, so a new one cannot be forgotten.
*/
export const AUDIT_ACTION_WORDS: Record<string, string> = {
  // Signing in
  login: 'Signed in',
  logout: 'Signed out',
  login_failed: 'Sign-in failed',
  login_blocked: 'Sign-in blocked after failures',
  pin_failed: 'PIN refused',
  till_user_switched: 'Cashier switched at the till',
  store_switched: 'Store switched',
  // People
  user_created: 'Person added',
  user_role_changed: 'Role changed',
  user_deactivated: 'Person deactivated',
  user_reactivated: 'Person reactivated',
  user_password_reset: 'Password reset',
  // Stores
  store_set_up: 'Store set up (first start)',
  store_created: 'Store created',
  store_updated: 'Store settings changed',
  store_staff_changed: 'Store staff changed',
  // Sales at the till
  sale_completed: 'Sale completed',
  payment_taken: 'Payment taken',
  payment_removed: 'Payment removed',
  line_discount: 'Line discount given',
  cart_discount: 'Sale discount given',
  discount_approved: 'Discount approved by a manager',
  price_override: 'Price changed at the till',
  cart_voided: 'Sale cancelled before payment',
  sale_voided: 'Sale voided',
  drawer_opened_no_sale: 'Drawer opened without a sale',
  gateway_payment_started: 'Card terminal payment started',
  gateway_payment_declined: 'Card terminal payment declined',
  gateway_payment_cancelled: 'Card terminal payment cancelled',
  gateway_payment_timed_out: 'Card terminal payment timed out',
  // Returns
  refund: 'Refund',
  refund_without_receipt: 'Refund without a receipt',
  // Shifts and cash
  shift_opened: 'Shift opened',
  shift_closed: 'Shift closed',
  shift_cash_in: 'Cash put in the drawer',
  shift_cash_out: 'Cash paid out of the drawer',
  shift_no_sale: 'No-sale drawer opening noted in the shift',
  // Registers and offline tills
  register_lease_taken: 'Register taken by a till',
  register_lease_released: 'Register released by a till',
  offline_sale_conflict: 'Offline sale kept for review (conflict)',
  offline_sale_refused: 'Offline sale kept for review (refused)',
  offline_review_resolved: 'Offline sale review resolved',
  offline_sale_recorded: 'Offline sale held for review recorded as a new sale',
  offline_sales_handed_over: 'Offline sales handed over to another till',
  offline_open_cart_parked: 'Cart open when its till went offline parked (its offline sales synced)',
  // Products and stock
  product_updated: 'Product changed',
  product_archived: 'Product archived',
  product_deleted: 'Product deleted',
  products_imported: 'Products imported from CSV',
  category_deleted: 'Category deleted',
  categories_merged: 'Categories of the same name merged (an upgrade)',
  stock_received: 'Delivery received',
  stock_adjusted: 'Stock adjusted',
  stocktake_approved: 'Stocktake approved',
  transfer_sent: 'Stock transfer sent',
  transfer_received: 'Stock transfer received',
  // Customers
  customer_exported: 'Customer data exported',
  customer_erased: 'Customer erased',
  // Hardware
  device_added: 'Device added',
  device_removed: 'Device removed',
  bridge_paired: 'Hardware bridge paired',
  bridge_revoked: 'Hardware bridge revoked',
  // Plugins
  plugin_enabled: 'Plugin enabled',
  plugin_enable_failed: 'Plugin failed to enable',
  plugin_disabled: 'Plugin disabled',
  plugin_configured: 'Plugin settings changed',
  plugins_rescanned: 'Plugins folder scanned again',
  // Exports and backups
  accounting_export: 'Accounting export',
  backup_created: 'Backup made',
  backup_downloaded: 'Backup downloaded',
}

/** An action in words; one written before its words existed (an older version's) reads as its identifier in words */
export function auditActionWords(action: string): string {
  // Own keys only: "constructor" is no action, though every object answers to it
  if (Object.hasOwn(AUDIT_ACTION_WORDS, action)) return AUDIT_ACTION_WORDS[action]
  const spaced = action.replace(/[_.:]+/g, ' ').trim()
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}
