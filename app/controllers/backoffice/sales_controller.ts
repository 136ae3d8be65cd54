import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import Register from '#models/register'
import User from '#models/user'
import SalesQueryService from '#sales/sales_query_service'
import VoidService from '#returns/void_service'
import { taxIncluded } from '#sales/receipt_service'
import { listDays } from '#platform/calendar_day'
import { filterId, pageNumber } from '#validators/fields'

const STATUSES = ['completed', 'voided', 'parked', 'open'] as const

@inject()
export default class SalesController {
  constructor(
    private sales: SalesQueryService,
    private voids: VoidService
  ) {}

  /** Sales of one day (or a range of the store's days), filtered by register, cashier and status */
  async index({ request, response, view, store }: HttpContext) {
    const qs = request.qs()
    const today = DateTime.now().setZone(store.timeZone).toISODate()!
    // A mistyped day is said at its field, with no list: today's sales under it were read as that day's
    const { from, to, shown, errors: dayErrors } = listDays(qs, { from: today, to: today })
    const errors: Record<string, string> = { ...dayErrors }
    // So is a status, register or cashier that is not one ("abc", a list): every sale was listed
    const status = qs.status === undefined || qs.status === '' ? 'completed' : qs.status
    if (!STATUSES.includes(status)) errors.status = 'Choose a status from the list'
    const registerId = filterId(qs.register_id)
    if (Number.isNaN(registerId)) errors.register_id = 'Choose a register from the list'
    const userId = filterId(qs.user_id)
    if (Number.isNaN(userId)) errors.user_id = 'Choose a cashier from the list'
    const invalid = Object.keys(errors).length > 0
    const page = pageNumber(qs.page)

    const [sales, registers, cashiers] = await Promise.all([
      invalid ? null : this.sales.list(store, { from, to, status, registerId, userId, page, perPage: 25 }),
      Register.query().where('store_id', store.id).orderBy('name'),
      User.query().where('store_id', store.id).orderBy('name'),
    ])
    const query: Record<string, string | number> = { from, to, status }
    if (registerId) query.register_id = registerId
    if (userId) query.user_id = userId
    sales?.baseUrl('/backoffice/sales').queryString(query)
    const pageTotal = sales ? sales.all().reduce((sum, sale) => sum + sale.total, 0) : 0
    // With the cash rounding beside it, what was taken: the reports' Total of the same days
    const pageRounding = sales ? sales.all().reduce((sum, sale) => sum + sale.roundingTotal, 0) : 0
    if (invalid) response.status(422)

    return view.render('backoffice/sales/index', {
      sales,
      pageTotal,
      pageRounding,
      errors: invalid ? errors : null,
      filters: { ...shown, status: errors.status ? 'completed' : status, register_id: errors.register_id ? '' : (registerId ?? ''), user_id: errors.user_id ? '' : (userId ?? '') },
      statusOptions: STATUSES.map((s) => ({ value: s, label: s[0].toUpperCase() + s.slice(1) })),
      registerOptions: [{ value: '', label: 'All registers' }, ...registers.map((r) => ({ value: r.id, label: r.name }))],
      cashierOptions: [{ value: '', label: 'Everyone' }, ...cashiers.map((u) => ({ value: u.id, label: u.name }))],
    })
  }

  async show({ params, view, store }: HttpContext) {
    const detail = await this.sales.find(store, Number(params.id) || 0)
    // A sale of an earlier day or a closed shift is refunded, not voided: the page says so instead of a form that can only fail
    const voidClosed = detail.sale.status === 'completed' ? await this.voids.closedWindow(detail.sale, store.timeZone) : null
    return view.render('backoffice/sales/show', { ...detail, store, taxIncluded: taxIncluded(detail.sale), voidClosed })
  }
}
