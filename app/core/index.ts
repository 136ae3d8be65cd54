/*
| The pure core: money, pricing, tax math, cart lines, barcode checks and the hash-chain link.
| It imports nothing of AdonisJS, Lucid, Node or the rest of app/ (tests/unit/architecture.spec.ts
| and tests/unit/core/bundle.spec.ts keep it so): the server runs it, and the browser bundles it.
*/
export * from './money.js'
export * from './pricing.js'
export * from './discount_share.js'
export * from './tax.js'
export * from './tax_math.js'
export * from './flat_rate.js'
export * from './cart_lines.js'
export * from './barcode.js'
export * from './sha256.js'
export * from './sale_chain.js'
export * from './sale_reference.js'
export * from './offline_sale.js'
export * from './search_text.js'
