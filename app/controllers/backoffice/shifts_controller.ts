import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import edge from 'edge.js'
import Shift from '#models/shift'
import ZReport from '#models/z_report'
import ShiftService from '#shifts/shift_service'
import { renderPdf } from '#platform/pdf_service'
import { zReportLines } from '#shifts/shift_report_service'
import { queueZReport } from '#hardware/jobs'
import { pageNumber } from '#validators/fields'

/** Shifts of the store, newest first, with their Z reports (HTML and PDF) */
@inject()
export default class ShiftsController {
  constructor(private shifts: ShiftService) {}

  async index({ request, view, store }: HttpContext) {
    const page = pageNumber(request.qs().page)
    const shifts = await Shift.query().where('store_id', store.id).preload('register').preload('opener').orderBy('opened_at', 'desc').orderBy('id', 'desc').paginate(page, 25)
    shifts.baseUrl('/backoffice/shifts')
    const ids = shifts.all().map((s) => s.id)
    const reports = ids.length ? await ZReport.query().whereIn('shift_id', ids) : []
    const byShift = Object.fromEntries(reports.map((r) => [r.shiftId, r]))
    return view.render('backoffice/shifts/index', { shifts, byShift, sales: shifts })
  }

  async show({ params, view, store }: HttpContext) {
    const shift = await this.shifts.find(store.id, Number(params.id) || 0)
    await shift.load('register')
    if (shift.status === 'open') {
      const { figures } = await this.shifts.xReport(store.id, store.currency, shift.id)
      return view.render('backoffice/shifts/show', { shift, figures, report: null })
    }
    const report = await this.shifts.zReport(store.id, shift.id)
    return view.render('backoffice/shifts/show', { shift, figures: report.figures, report })
  }

  /** Prints the Z report on the register's receipt printer, through its bridge */
  async print({ params, response, session, store, auth }: HttpContext) {
    const report = await this.shifts.zReport(store.id, Number(params.id) || 0)
    const job = await queueZReport(store, report.registerId, `Z report #${report.number}`, zReportLines(report.number, report.figures, store.timeZone), auth.user!.id)
    session.flash('notice', `Z report sent to the printer (job #${job.id})`)
    return response.redirect().back()
  }

  /** The Z report as an A4 PDF, rendered by the warm Chromium (pdf_service) */
  async pdf({ params, response, store }: HttpContext) {
    const report = await this.shifts.zReport(store.id, Number(params.id) || 0)
    const html = await edge.render('shifts/z_pdf', { report, figures: report.figures, store })
    const pdf = await renderPdf(html)
    response.header('content-type', 'application/pdf')
    response.header('content-disposition', `attachment; filename="z-${report.registerId}-${report.number}.pdf"`)
    return response.send(pdf)
  }
}
