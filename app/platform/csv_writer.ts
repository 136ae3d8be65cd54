import { Readable } from 'node:stream'
import { setImmediate } from 'node:timers/promises'
import Papa from 'papaparse'

/*
| The one CSV writer of the app: product export, report tables, audit log, customer data exports
| and every accounting exporter (built-in or third-party: the host writes their rows through here).
|
| A text cell starting with = + - @, a tab or a carriage return would run as a formula in a
| spreadsheet (CSV injection): it gets a leading single quote. A cell that is only a number,
| such as the amount -12.50, is left alone, so a spreadsheet still reads and sums it as a number.
| A file read back (the products import) takes that quote off again (unneutralise): so that a
| text really starting with quotes before such a character ('=x) is told from a guarded one, it
| gets one more quote too (''=x). Export, edit, import then gives back every text as it was.
|
| Every caller says who the file is for. A file for a spreadsheet (the reports, the audit log, the
| product export, a customer's data, the sales lines) starts with a UTF-8 byte order mark: without
| it Excel reads the file as the machine's ANSI code page and shows "Crème brûlée" as "CrÃ¨me
| brÃ»lÃ©e" and € as "â‚¬". A file for another program's import (the journals of the accounting
| packages) has none: they read UTF-8 as it is, and some take a BOM for part of the first
| column's name. The products import accepts both.
*/

type Cell = unknown
/** The UTF-8 byte order mark a spreadsheet file starts with */
export const BOM = '\ufeff'
export interface CsvOptions {
  /** true: a file for a spreadsheet (starts with the BOM); false: for another program's import */
  bom: boolean
}
const ROWS_PER_CHUNK = 500
const PLAIN_NUMBER = /^-\d+(\.\d+)?$/

/** Text a spreadsheet would run as a formula, after any quotes it starts with: = + - @ tab CR, but not a plain negative number */
function guarded(cell: string): boolean {
  let start = 0
  while (cell.charCodeAt(start) === 39) start++
  const first = cell.charCodeAt(start)
  if (first !== 61 && first !== 43 && first !== 45 && first !== 64 && first !== 9 && first !== 13) return false
  return !(first === 45 && PLAIN_NUMBER.test(cell.slice(start)))
}

/** A cell as written: formula-like text gets a leading quote; numbers and plain negative amounts stay */
export function neutralise<T>(cell: T): T | string {
  if (typeof cell !== 'string' || cell === '') return cell
  return guarded(cell) ? `'${cell}` : cell
}

/** A cell as read back from a file this writer made: the quote neutralise() put before it taken off; any other text as it is */
export function unneutralise(cell: string): string {
  return cell.charCodeAt(0) === 39 && guarded(cell.slice(1)) ? cell.slice(1) : cell
}

/** Rows as CSV lines (CRLF, each line ended), every cell neutralised */
export function csvLines(rows: Cell[][]): string {
  if (!rows.length) return ''
  const safe = rows.map((row) => row.map((cell) => neutralise(cell ?? '')))
  return `${Papa.unparse(safe as unknown[][], { newline: '\r\n' })}\r\n`
}

/** The CSV as chunks of text: the header, then ROWS_PER_CHUNK rows at a time */
export async function* csvChunks(header: string[], rows: Iterable<Cell[]> | AsyncIterable<Cell[]>): AsyncGenerator<string> {
  yield csvLines([header])
  let batch: Cell[][] = []
  for await (const row of rows) {
    batch.push(row)
    if (batch.length === ROWS_PER_CHUNK) {
      yield csvLines(batch)
      batch = []
    }
  }
  if (batch.length) yield csvLines(batch)
}

/**
 * A CSV download as a stream, never the whole file in memory. Between chunks the event loop runs:
 * SQLite's queries complete synchronously and a fast client's socket takes every write at once,
 * so otherwise no other request (the tills') nor timer would run until the whole file is written.
 */
export function csvStream(header: string[], rows: Iterable<Cell[]> | AsyncIterable<Cell[]>, options: CsvOptions): Readable {
  const chunks = csvChunks(header, rows)
  return Readable.from(
    (async function* () {
      let first = true
      for await (const chunk of chunks) {
        yield Buffer.from(first && options.bom ? `${BOM}${chunk}` : chunk, 'utf8')
        first = false
        await setImmediate()
      }
    })()
  )
}
