import { DomainError } from '#exceptions/domain_error'

/*
| The notes and coins of a currency in minor units, largest first, for counting a drawer.
| A currency without a table is counted as one amount.
*/

export interface Denomination {
  value: number
  label: string
}

const table = (rows: [number, string][]): Denomination[] => rows.map(([value, label]) => ({ value, label }))

const DENOMINATIONS: Record<string, Denomination[]> = {
  USD: table([[10000, '$100'], [5000, '$50'], [2000, '$20'], [1000, '$10'], [500, '$5'], [200, '$2'], [100, '$1'], [50, '50¢'], [25, '25¢'], [10, '10¢'], [5, '5¢'], [1, '1¢']]),
  EUR: table([[50000, '€500'], [20000, '€200'], [10000, '€100'], [5000, '€50'], [2000, '€20'], [1000, '€10'], [500, '€5'], [200, '€2'], [100, '€1'], [50, '50c'], [20, '20c'], [10, '10c'], [5, '5c'], [2, '2c'], [1, '1c']]),
  GBP: table([[5000, '£50'], [2000, '£20'], [1000, '£10'], [500, '£5'], [200, '£2'], [100, '£1'], [50, '50p'], [20, '20p'], [10, '10p'], [5, '5p'], [2, '2p'], [1, '1p']]),
  CAD: table([[10000, '$100'], [5000, '$50'], [2000, '$20'], [1000, '$10'], [500, '$5'], [200, '$2'], [100, '$1'], [25, '25¢'], [10, '10¢'], [5, '5¢']]),
  JPY: table([[10000, '¥10000'], [5000, '¥5000'], [2000, '¥2000'], [1000, '¥1000'], [500, '¥500'], [100, '¥100'], [50, '¥50'], [10, '¥10'], [5, '¥5'], [1, '¥1']]),
}

/** No drawer holds more than this many of one note or coin */
export const MAX_PIECES = 100_000
/** Nor more cash than this (10,000,000.00 in a 2-digit currency) */
export const MAX_CASH = 1_000_000_000

export function denominationsFor(currency: string): Denomination[] | null {
  return DENOMINATIONS[currency] ?? null
}

/**
 * The total of a count {"<value>": pieces}; refuses unknown notes, negative, fractional or absurd
 * counts with the field that is wrong (field prefix + value, e.g. "counts.2000").
 */
export function countTotal(currency: string, counts: Record<string, unknown>, field = 'counts'): number {
  const known = denominationsFor(currency)
  if (!known) {
    throw new DomainError(`${currency} has no table of notes and coins: enter the amount instead`, { code: 'no_denominations', field })
  }
  let total = 0
  for (const [key, raw] of Object.entries(counts)) {
    const denomination = known.find((d) => String(d.value) === key)
    if (!denomination) throw new DomainError(`${key} is not a note or coin of ${currency}`, { code: 'unknown_denomination', field: `${field}.${key}` })
    // A number, or the digits a form sends: "1e3", a list or true are no count (Number() took them)
    const pieces = raw === '' || raw === null || raw === undefined ? 0 : typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d{1,9}\s*$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isInteger(pieces) || pieces < 0 || pieces > MAX_PIECES) {
      throw new DomainError(`The count of ${denomination.label} must be a whole number from 0 to ${MAX_PIECES.toLocaleString('en')}`, {
        code: 'invalid_count',
        field: `${field}.${key}`,
      })
    }
    total += pieces * denomination.value
  }
  if (total > MAX_CASH) throw new DomainError('This count is more cash than a drawer can hold; check it', { code: 'invalid_count', field })
  return total
}
