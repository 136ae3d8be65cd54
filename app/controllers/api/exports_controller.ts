import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import AccountingExportService from '#accounting/accounting_export_service'
import { exportValidator } from '#validators/exports'
import { recordAudit } from '#platform/audit_service'
import { sendCsv } from '#controllers/backoffice/exports_controller'

@inject()
export default class ExportsController {
  constructor(private exports: AccountingExportService) {}

  /** GET /api/exports: the exporters in force */
  async index({ bouncer }: HttpContext) {
    await bouncer.authorize('exportAccounting')
    const exporters = await this.exports.exporters()
    return { data: exporters.map(({ pluginId, exporter }) => ({ id: exporter.id, label: exporter.label, plugin: pluginId })) }
  }

  /** GET /api/exports/{exporter}?from=&to=: the CSV, streamed */
  async show({ params, request, response, bouncer, store, auth }: HttpContext) {
    await bouncer.authorize('exportAccounting')
    const input = await request.validateUsing(exportValidator, { data: { ...request.qs(), exporter: params.exporter } })
    const prepared = await this.exports.prepare(store, input.exporter, input.from, input.to)
    await recordAudit({
      action: 'accounting_export',
      storeId: store.id,
      userId: auth.user!.id,
      data: { exporter: input.exporter, from: input.from, to: input.to, api: true },
      ip: request.ip(),
    })
    sendCsv(response, prepared.fileName, prepared.stream())
  }
}
