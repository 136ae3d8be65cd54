import type { Readable } from 'node:stream'
import { DateTime } from 'luxon'
import type Store from '#models/store'
import { errors as vineErrors } from '@vinejs/vine'
import { DomainError } from '#exceptions/domain_error'
import { BooksSource, exportPeriod } from '#accounting/books_service'
import { pluginRegistry } from '#plugins/registry'
import { pluginHost } from '#plugins/host'
import { csvStream } from '#platform/csv_writer'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import type { PluginSettings } from '#plugins/contracts/plugin'

/*
| Accounting exports: the host side. Checks the period, asks the chosen exporter for its rows
| and streams them through the CSV writer (csv_writer.ts, a chunk of rows at a time) so a year of
| a busy store never sits in memory; formula cells are neutralised there for every exporter.
*/

export const MAX_EXPORT_DAYS = 366

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
    // Through the app's one CSV writer: a third-party exporter's cells are neutralised too; a
    // package's import gets no BOM unless the exporter says its file is for a spreadsheet
    return csvStream(exporter.columns(settings), exporter.rows(period, source, settings), { bom: exporter.forSpreadsheets === true })
  }
}
