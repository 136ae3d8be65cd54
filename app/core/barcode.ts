/*
| GTIN check digits: EAN-13, EAN-8 and UPC-A share one rule (weights 3 and 1 from the right).
| Codes of other lengths or with letters are store-internal codes and are accepted as they are.
*/

export function gtinCheckDigit(body: string): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48
    sum += digit * (i % 2 === 0 ? 3 : 1)
  }
  return (10 - (sum % 10)) % 10
}

export type BarcodeCheck = { valid: true; kind: string } | { valid: false; reason: string }

const GTIN_KINDS: Record<number, string> = { 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13' }

export function checkBarcode(code: string): BarcodeCheck {
  if (!/^[0-9A-Za-z\-_.]{1,32}$/.test(code)) {
    return { valid: false, reason: 'may only contain letters, digits, "-", "_" and "." (at most 32)' }
  }
  const kind = /^\d+$/.test(code) ? GTIN_KINDS[code.length] : undefined
  if (!kind) return { valid: true, kind: 'internal' }
  const expected = gtinCheckDigit(code.slice(0, -1))
  if (expected !== Number(code.at(-1))) {
    return { valid: false, reason: `is not a valid ${kind} code (check digit should be ${expected})` }
  }
  return { valid: true, kind }
}

/** Completes a 12-digit body into a valid EAN-13 */
export function ean13(body12: string): string {
  return body12 + gtinCheckDigit(body12)
}
