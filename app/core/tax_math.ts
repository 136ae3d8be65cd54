import type { LineTax, RoundingRule } from './tax.js'
import { mulDivRoundHalfUp } from './money.js'

/*
| Exact tax arithmetic for tax-region plugins: several taxes on a line, compound taxes (a tax
| on the amount plus the taxes before it), prices that include or exclude tax, and the two
| rounding rules. Amounts are computed as exact fractions (BigInt) and rounded half-up once:
|   per line      each tax of each line is rounded on its own;
|   per document  each rate's total over the document is rounded, then shared back to the
|                 lines by largest remainder, so the lines add up to the document's tax.
*/

export interface TaxComponent {
  code: string
  name: string
  ratePpm: number
  /** Computed on the amount plus the taxes listed before it */
  compound?: boolean
}

export interface LineToTax {
  key: string | number
  /** After discounts; tax included when inclusive */
  amount: number
  components: TaxComponent[]
}

const MILLION = 1_000_000n

/** n/d with d > 0 */
interface Fraction {
  n: bigint
  d: bigint
}

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a
  while (b) [a, b] = [b, a % b]
  return a || 1n
}
const make = (n: bigint, d: bigint): Fraction => {
  const g = gcd(n, d)
  return { n: n / g, d: d / g }
}
const add = (a: Fraction, b: Fraction) => make(a.n * b.d + b.n * a.d, a.d * b.d)
const mul = (a: Fraction, b: Fraction) => make(a.n * b.n, a.d * b.d)
const div = (a: Fraction, b: Fraction) => make(a.n * b.d, a.d * b.n)
const int = (value: number): Fraction => ({ n: BigInt(value), d: 1n })
const floor = (a: Fraction) => (a.n >= 0n ? a.n / a.d : -((-a.n + a.d - 1n) / a.d))
/** Half-up, away from zero for negatives (a refund rounds like the sale it reverses) */
const roundHalfUp = (a: Fraction): bigint => (a.n >= 0n ? (2n * a.n + a.d) / (2n * a.d) : -((2n * -a.n + a.d) / (2n * a.d)))

/** The exact taxes of one line, in the order of its components */
function exactTaxes(line: LineToTax, inclusive: boolean): Fraction[] {
  // Each tax as a multiple of the net amount: c_i = r_i * (1 + sum of earlier c_j when compound)
  const factors: Fraction[] = []
  let earlier: Fraction = int(0)
  for (const component of line.components) {
    const rate = make(BigInt(component.ratePpm), MILLION)
    const factor = component.compound ? mul(rate, add(int(1), earlier)) : rate
    factors.push(factor)
    earlier = add(earlier, factor)
  }
  const net = inclusive ? div(int(line.amount), add(int(1), earlier)) : int(line.amount)
  return factors.map((factor) => mul(net, factor))
}

export function computeTaxes(lines: LineToTax[], options: { inclusive: boolean; rounding: RoundingRule }): Map<string | number, LineTax[]> {
  const exact = lines.map((line) => exactTaxes(line, options.inclusive))
  const rounded: bigint[][] = exact.map((taxes) => taxes.map(roundHalfUp))

  if (options.rounding === 'half_up_per_document') {
    // Group the line taxes by (code, rate); round each group's exact total once
    const groups = new Map<string, { line: number; index: number }[]>()
    lines.forEach((line, i) =>
      line.components.forEach((component, j) => {
        const id = `${component.code}:${component.ratePpm}:${component.compound ? 1 : 0}`
        groups.set(id, [...(groups.get(id) ?? []), { line: i, index: j }])
      })
    )
    for (const members of groups.values()) {
      const total = roundHalfUp(members.reduce((sum, m) => add(sum, exact[m.line][m.index]), int(0)))
      const floors = members.map((m) => floor(exact[m.line][m.index]))
      let left = total - floors.reduce((a, b) => a + b, 0n)
      // Largest remainder first; ties go to the earlier line, so the result is stable
      const order = members
        .map((m, k) => ({ k, rest: add(exact[m.line][m.index], { n: -floors[k], d: 1n }) }))
        .sort((a, b) => {
          const diff = a.rest.n * b.rest.d - b.rest.n * a.rest.d
          return diff > 0n ? -1 : diff < 0n ? 1 : a.k - b.k
        })
      members.forEach((m, k) => (rounded[m.line][m.index] = floors[k]))
      for (const { k } of order) {
        if (left <= 0n) break
        rounded[members[k].line][members[k].index] += 1n
        left -= 1n
      }
    }
  }

  return new Map(
    lines.map((line, i) => [
      line.key,
      line.components
        .map((component, j) => ({
          code: component.code,
          name: component.name,
          ratePpm: component.ratePpm,
          amount: Number(rounded[i][j]),
          ...(component.compound ? { compound: true } : {}),
        }))
        .filter((tax) => tax.ratePpm > 0),
    ])
  )
}

/** The tax of one line at one flat rate, half-up: inside an amount that includes it, or on top of one that does not */
export function flatLineTax(amount: number, ratePpm: number, pricesIncludeTax: boolean): number {
  return pricesIncludeTax ? amount - mulDivRoundHalfUp(amount, 1_000_000, 1_000_000 + ratePpm) : mulDivRoundHalfUp(amount, ratePpm, 1_000_000)
}
