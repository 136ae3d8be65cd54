import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import AccountingExportService, { MAX_EXPORT_DAYS } from '#accounting/accounting_export_service'
import { exportValidator } from '#validators/exports'
import { recordAudit } from '#platform/audit_service'

/** The accountant's Exports page: choose an exporter and a period, download the CSV */
@inject()
export default class ExportsController {
  constructor(private exports: AccountingExportService) {}

  async show({ view, store }: HttpContext) {
    const today = DateTime.now().setZone(store.timeZone)
    const exporters = await this.exports.exporters()
    return view.render('backoffice/exports/show', {
      exporterOptions: exporters.map(({ exporter }) => ({ value: exporter.id, label: exporter.label })),
      defaults: {
        exporter: exporters[0]?.exporter.id ?? '',
        // last month, the period an accountant asks for most
        from: today.minus({ months: 1 }).startOf('month').toISODate(),
        to: today.minus({ months: 1 }).endOf('month').toISODate(),
      },
      today: today.toISODate(),
      maxDays: MAX_EXPORT_DAYS,
    })
  }

  async download({ request, response, store, auth }: HttpContext) {
    const input = await request.validateUsing(exportValidator)
    const prepared = await this.exports.prepare(store, input.exporter, input.from, input.to)
    await recordAudit({
      action: 'accounting_export',
      storeId: store.id,
      userId: auth.user!.id,
      data: { exporter: input.exporter, from: input.from, to: input.to },
      ip: request.ip(),
    })
    sendCsv(response, prepared.fileName, prepared.stream())
  }
}

/** Streams a CSV to the client as a download: chunked, never buffered whole */
export function sendCsv(response: HttpContext['response'], fileName: string, stream: NodeJS.ReadableStream) {
  response.header('Content-Type', 'text/csv; charset=utf-8')
  response.header('Content-Disposition', `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`)
  response.header('Cache-Control', 'no-store')
  response.header('X-Content-Type-Options', 'nosniff')
  response.stream(stream as any)
}
