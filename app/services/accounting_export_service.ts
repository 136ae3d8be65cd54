import { Readable } from 'node:stream'
import { setImmediate } from 'node:timers/promises'
import Papa from 'papaparse'
import { DateTime } from 'luxon'
import type Store from '#models/store'
import { errors as vineErrors } from '@vinejs/vine'
import { DomainError } from '#exceptions/domain_error'
import { BooksSource, exportPeriod } from '#services/books_service'
import { pluginRegistry } from '#plugins/registry'
import { pluginHost } from '#plugins/host'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import type { PluginSettings } from '#plugins/contracts/plugin'

/*
| Accounting exports: the host side. Checks the period, asks the chosen exporter for its rows
| and streams them as CSV (papaparse, a chunk of rows at a time) so a year of a busy store never
| sits in memory. Formula cells are neutralised here, once, for every exporter.
*/

export const MAX_EXPORT_DAYS = 366
/** Rows turned into CSV text at a time */
const ROWS_PER_CHUNK = 500

export interface RangeError {
  field: 'from' | 'to'
  message: string
}

/** The problems of a period of the store's days (empty when it is fine) */
export function rangeErrors(store: Store, from: string, to: string): RangeError[] {
  const errors: RangeError[] = []
  const today = DateTime.now().setZone(store.timeZone).toISODate()!
  if (from > today) errors.push({ field: 'from', message: 'The start cannot be in the future' })
  if (to > today) errors.push({ field: 'to', message: `The end cannot be after today (${today})` })
  if (to < from) errors.push({ field: 'to', message: 'The end must be on or after the start' })
  else {
    const days = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days + 1
    if (days > MAX_EXPORT_DAYS) errors.push({ field: 'to', message: `A period is at most ${MAX_EXPORT_DAYS} days; export a longer one year by year` })
  }
  return errors
}

/**
 * A cell a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading quote. Plain
 * numbers such as "-12.50" are left alone: a spreadsheet reads them as numbers, never formulas.
 */
export function neutralise(cell: string | number): string | number {
  if (typeof cell !== 'string' || cell === '') return cell
  const first = cell.charCodeAt(0)
  // = + - @ tab CR
  if (first !== 61 && first !== 43 && first !== 45 && first !== 64 && first !== 9 && first !== 13) return cell
  if (first === 45 && PLAIN_NEGATIVE_NUMBER.test(cell)) return cell
  return `'${cell}`
}

const PLAIN_NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/

/** The CSV as a stream of chunks: the header, then ROWS_PER_CHUNK rows at a time */
export async function* csvChunks(header: string[], rows: AsyncIterable<(string | number)[]>): AsyncGenerator<string> {
  const unparse = (batch: (string | number)[][]) => `${Papa.unparse(batch, { newline: '\r\n' })}\r\n`
  yield unparse([header.map(neutralise) as string[]])
  let batch: (string | number)[][] = []
  for await (const row of rows) {
    // The exporter hands over a fresh array per row: neutralise it in place
    for (let i = 0; i < row.length; i++) row[i] = neutralise(row[i])
    batch.push(row)
    if (batch.length === ROWS_PER_CHUNK) {
      yield unparse(batch)
      batch = []
    }
  }
  if (batch.length) yield unparse(batch)
}

export interface PreparedExport {
  fileName: string
  exporter: AccountingExporter
  /** Starts reading the database when the stream is first read */
  stream(): Readable
}

export default class AccountingExportService {
  /** The exporters of the enabled plugins, with their plugin's settings, by label */
  async exporters() {
    const found = await Promise.all(
      pluginRegistry
        .accountingExporters()
        .map(async ({ pluginId, exporter }) => ({ pluginId, exporter, settings: await pluginHost.settingsOf(pluginId) }))
    )
    return found.sort((a, b) => a.exporter.label.localeCompare(b.exporter.label, 'en'))
  }

  /** Checks the exporter and the period; the CSV is produced when the stream is read */
  async prepare(store: Store, exporterId: string, from: string, to: string): Promise<PreparedExport> {
    const found = (await this.exporters()).find((e) => e.exporter.id === exporterId)
    if (!found) {
      throw new DomainError('This exporter is not available; choose one of the list', { status: 422, code: 'unknown_exporter', field: 'exporter' })
    }
    const errors = rangeErrors(store, from, to)
    // A validation error, so the form shows each message on its field and the API answers 422
    if (errors.length) throw new vineErrors.E_VALIDATION_ERROR(errors.map((e) => ({ ...e, rule: 'period' })))
    return {
      exporter: found.exporter,
      fileName: `${found.exporter.fileName ?? found.exporter.id}-${from}-${to}.csv`,
      stream: () => this.stream(store, found.exporter, found.settings, from, to),
    }
  }

  stream(store: Store, exporter: AccountingExporter, settings: PluginSettings, from: string, to: string): Readable {
    const period = exportPeriod(store, from, to)
    const source = new BooksSource(store, from, to)
    const chunks = csvChunks(exporter.columns(settings), exporter.rows(period, source, settings))
    return Readable.from(
      (async function* () {
        for await (const chunk of chunks) {
          yield Buffer.from(chunk, 'utf8')
          // Let the event loop run between chunks: SQLite's queries complete synchronously and a
          // fast client's socket takes every write at once, so otherwise no other request (the
          // tills') nor timer would run until the whole export is written
          await setImmediate()
        }
      })()
    )
  }
}
