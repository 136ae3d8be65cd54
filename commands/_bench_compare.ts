/*
| The figures pos:bench-compare reads from pos:bench's table, and how it sums up pairs of runs.
| It reads the printed table, not a file of pos:bench's own, so that it can run the pos:bench of
| an older revision as that revision has it. A row is found by the start of its label.
*/
import { median } from './_bench_measure.js'

export interface Figure {
  name: string
  /** The start of the row's label in pos:bench's table */
  row: string
  /** Which number of the row's "Measured" cell (p50 / p95 / p99, or server / database / client) */
  index: number
}

export const FIGURES: Figure[] = [
  { name: 'sales per second, back to back', row: 'sales per second, back to back', index: 0 },
  { name: 'the limit (bare mysql2), sales/s', row: 'the limit: the same rows', index: 0 },
  { name: 'our share of the limit, %', row: 'our sales per second as a share of the limit', index: 0 },
  { name: 'CPU per sale, server, ms', row: 'CPU per sale: server', index: 0 },
  { name: 'CPU per sale, database, ms', row: 'CPU per sale: server', index: 1 },
  { name: 'sale p95 at till pace, server time, ms', row: 'sale, 5 lines, at till pace', index: 1 },
  { name: 'database round trips per sale', row: 'database round trips per sale', index: 0 },
  { name: 'scans per second, back to back', row: 'scans per second, back to back', index: 0 },
  { name: 'CPU per scan, server, ms', row: 'CPU per scan: server', index: 0 },
  { name: 'CPU per scan, database, ms', row: 'CPU per scan: server', index: 1 },
  { name: 'scan p50 at till pace, server time, ms', row: 'scan-to-cart at till pace', index: 0 },
  { name: 'scan p95 at till pace, server time, ms', row: 'scan-to-cart at till pace', index: 1 },
  { name: 'till first page p50, server time, ms', row: 'till first page (GET /till', index: 0 },
]

/** The figures of one pos:bench run, from its printed table (colours and all); a figure it lacks is absent */
export function readBenchTable(output: string): Record<string, number> {
  const cells = new Map<string, string>()
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const parts = line.split('\u2502').map((cell) => cell.trim())
    if (parts.length > 3 && parts[1]) cells.set(parts[1], parts[2])
  }
  const figures: Record<string, number> = {}
  for (const figure of FIGURES) {
    const label = [...cells.keys()].find((key) => key.startsWith(figure.row))
    // "8.1 ms / 43.1 ms / 75.5 ms", "1.95 / - / 0.40 ms" (no database on SQLite), "1,234", "45%"
    const part = label === undefined ? undefined : cells.get(label)!.split('/')[figure.index]
    const number = part?.replace(/,/g, '').match(/\d+(\.\d+)?/)?.[0]
    if (number !== undefined) figures[figure.name] = Number(number)
  }
  return figures
}

export interface ComparedFigure {
  name: string
  base: number[]
  here: number[]
  /** here / base of each pair, in the order the pairs ran */
  ratios: number[]
}

/** Pairs up the runs (the i-th of each side ran back to back): only figures both runs of a pair have */
export function comparePairs(base: Record<string, number>[], here: Record<string, number>[]): ComparedFigure[] {
  const compared: ComparedFigure[] = []
  for (const { name } of FIGURES) {
    const pairs = base.map((run, i) => [run[name], here[i]?.[name]]).filter(([b, h]) => Number.isFinite(b) && Number.isFinite(h))
    if (!pairs.length) continue
    compared.push({ name, base: pairs.map(([b]) => b), here: pairs.map(([, h]) => h), ratios: pairs.map(([b, h]) => (b === 0 ? Number.NaN : h / b)) })
  }
  return compared
}

/** Whole numbers for figures in the hundreds and up (sales per second), else two decimals */
export function digitsFor(figure: ComparedFigure) {
  return Math.max(...figure.base, ...figure.here) >= 100 ? 0 : 2
}

/** "median (lowest-highest)" */
export function spread(values: number[], digits: number) {
  const low = Math.min(...values).toFixed(digits)
  const high = Math.max(...values).toFixed(digits)
  return `${median(values).toFixed(digits)}${values.length > 1 ? ` (${low}\u2013${high})` : ''}`
}

export function ratioText(ratios: number[]) {
  const shown = ratios.map((ratio) => (Number.isFinite(ratio) ? ratio.toFixed(2) : '-'))
  return `${median(ratios.filter(Number.isFinite)).toFixed(2)}${ratios.length > 1 ? ` (${shown.join(', ')})` : ''}`
}
