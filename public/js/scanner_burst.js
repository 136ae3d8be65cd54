/*
 * A code scanned while the focus is in an amount of the payment (the tendered cash): a
 * keyboard-wedge scanner types it there and its Enter sent it as the amount (a shelf label's
 * short code, 4011, took $4,011.00 tendered, completed the sale and showed $4,000.20 change; a
 * barcode was refused as an amount, the product not added). Keys that come faster than a hand
 * types (SCANNER_GAP_MS apart, at least SCANNER_MIN_KEYS of them) and end with Enter are a scan.
 * One rule for both tills: the online one (public/js/scanning.js) and the offline one
 * (resources/js/offline/pay_screen.js, bundled with this file).
 */
export const SCANNER_GAP_MS = 50
export const SCANNER_MIN_KEYS = 4
// A scanner presses Shift before a capital (TST-0001): a modifier neither ends nor counts in a burst
const MODIFIER_KEYS = new Set(['Shift', 'CapsLock', 'Control', 'Alt', 'AltGraph', 'Meta'])

/**
 * Watches the keys typed into amount fields. `key(event, field)` for each keydown in one of them
 * answers { code, before } when the key is the Enter that ends a scanner's burst (`before`: what
 * the field held before the burst began, to give it back), else null. `reset()` when a key goes
 * anywhere else.
 */
export function scannerBursts() {
  let burst = null
  return {
    reset() {
      burst = null
    },
    key(event, field) {
      if (MODIFIER_KEYS.has(event.key)) return null
      if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
        if (burst?.field !== field || event.timeStamp - burst.last > SCANNER_GAP_MS) burst = { field, before: field.value, keys: 0 }
        burst.keys++
        burst.last = event.timeStamp
        return null
      }
      const scanned = event.key === 'Enter' && burst?.field === field && burst.keys >= SCANNER_MIN_KEYS && event.timeStamp - burst.last <= SCANNER_GAP_MS
      const before = burst?.before
      burst = null
      if (!scanned) return null
      return { code: field.value.startsWith(before) ? field.value.slice(before.length) : field.value, before }
    },
  }
}
