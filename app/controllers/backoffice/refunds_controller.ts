import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Register from '#models/register'
import User from '#models/user'
import RefundListService, { RECEIPT_FILTERS, lastThirtyDays, type ReceiptFilter, type RefundFilters } from '#returns/refund_list_service'
import { csvStream } from '#platform/csv_writer'
import { listDays } from '#platform/calendar_day'
import { filterId, pageNumber } from '#validators/fields'

const RECEIPT_LABELS: Record<ReceiptFilter, string> = { all: 'All refunds', without: 'Without a receipt', with: 'With a receipt' }
const CSV_HEADER = ['refund', 'time', 'receipt', 'register', 'refunded_by', 'approved_by', 'kind', 'products', 'amount', 'tenders', 'reason', 'utc_offset']

/** GET /backoffice/refunds (and .csv): every refund of the store's days, those without a receipt on their own by a filter */
@inject()
export default class RefundsController {
  constructor(private refunds: RefundListService) {}

  async index(ctx: HttpContext) {
    const { store, request, view, response } = ctx
    const { filters, errors, typed } = this.#filters(ctx)
    const [registers, users] = await Promise.all([Register.query().where('store_id', store.id).orderBy('name'), User.query().where('store_id', store.id).orderBy('name')])
    const options = {
      receiptOptions: RECEIPT_FILTERS.map((value) => ({ value, label: RECEIPT_LABELS[value] })),
      registerOptions: [{ value: '', label: 'All registers' }, ...registers.map((r) => ({ value: r.id, label: r.name }))],
      userOptions: [{ value: '', label: 'Everyone' }, ...users.map((u) => ({ value: u.id, label: u.name }))],
    }
    const shown = { ...typed, receipt: filters.receipt, register_id: filters.registerId ?? '', user_id: filters.userId ?? '' }
    if (errors) {
      // The form with each message at its field, and no list of other days than asked
      response.status(422)
      return view.render('backoffice/refunds/index', { ...options, errors, filters: shown })
    }
    const page = pageNumber(request.qs().page)
    const list = await this.refunds.page(store, filters, page)
    const query: Record<string, string> = { from: filters.from, to: filters.to, receipt: filters.receipt }
    if (filters.registerId) query.register_id = String(filters.registerId)
    if (filters.userId) query.user_id = String(filters.userId)
    list.paginator.baseUrl('/backoffice/refunds').queryString(query)
    return view.render('backoffice/refunds/index', { ...options, ...list, filters: { ...shown, from: filters.from, to: filters.to }, csvUrl: `/backoffice/refunds.csv?${new URLSearchParams(query)}` })
  }

  async csv(ctx: HttpContext) {
    const { filters, errors } = this.#filters(ctx)
    if (errors) {
      ctx.response.status(422).header('content-type', 'text/plain; charset=utf-8')
      return Object.entries(errors).map(([field, message]) => `${field}: ${message}`).join('\n')
    }
    const name = filters.receipt === 'without' ? 'refunds-without-receipt' : 'refunds'
    ctx.response.header('content-type', 'text/csv; charset=utf-8')
    ctx.response.header('content-disposition', `attachment; filename="${name}-${filters.from}-${filters.to}.csv"`)
    ctx.response.stream(csvStream(CSV_HEADER, this.refunds.csvRows(ctx.store, filters), { bom: true }))
  }

  /** The filters asked for (the last 30 days by default), or each field's problem: never other days than asked */
  #filters(ctx: HttpContext) {
    const qs = ctx.request.qs()
    // The same days as the sales list's, refused alike (the last 30 when none are asked)
    const { from, to, shown, errors: dayErrors } = listDays(qs, lastThirtyDays(ctx.store))
    const errors: Record<string, string> = { ...dayErrors }
    const receipt = qs.receipt === undefined || qs.receipt === '' ? 'all' : qs.receipt
    if (!RECEIPT_FILTERS.includes(receipt)) errors.receipt = 'Choose all refunds, without a receipt or with a receipt'
    // A register or a person that is not an id ("abc", a list) was read as none: every refund was listed
    const registerId = filterId(qs.register_id)
    if (Number.isNaN(registerId)) errors.register_id = 'Choose a register from the list'
    const userId = filterId(qs.user_id)
    if (Number.isNaN(userId)) errors.user_id = 'Choose a person from the list'
    const filters: RefundFilters = {
      from,
      to,
      receipt: RECEIPT_FILTERS.includes(receipt) ? receipt : 'all',
      registerId: errors.register_id ? undefined : registerId,
      userId: errors.user_id ? undefined : userId,
    }
    return { filters, errors: Object.keys(errors).length ? errors : null, typed: shown }
  }
}
