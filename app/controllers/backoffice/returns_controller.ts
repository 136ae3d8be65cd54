import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import User from '#models/user'
import VoidService from '#returns/void_service'
import AuditLogService, { type AuditFilters } from '#reports/audit_log_service'
import { auditActionWords } from '#reports/audit_actions'
import { verifyChains } from '#sales/chain_verifier'
import { withoutQueryDeadline } from '#platform/query_deadline'
import { actorOf } from '#staff/actor'
import { calendarDay, dayError } from '#platform/calendar_day'
import { filterId, pageNumber } from '#validators/fields'

@inject()
export default class ReturnsController {
  constructor(
    private voids: VoidService,
    private audit: AuditLogService
  ) {}

  /** POST /backoffice/sales/:id/void (managers) */
  async void(ctx: HttpContext) {
    const reason = String(ctx.request.input('reason') ?? '')
    const sale = await this.voids.voidSale(actorOf(ctx), Number(ctx.params.id) || 0, reason)
    ctx.session.flash('notice', `Sale #${sale.number} was voided.`)
    return ctx.response.redirect(`/backoffice/sales/${sale.id}`)
  }

  /** GET /backoffice/audit (admins): the log, filtered */
  async auditLog({ request, response, view, store }: HttpContext) {
    const { filters, errors } = auditFilters(request.qs())
    const page = pageNumber(request.qs().page)
    const [entries, actions, users] = await Promise.all([
      // A mistyped filter is said at its field, with no entries: the log of every day, action and
      // user was shown as if filtered
      errors ? null : this.audit.query(store, filters).paginate(page, 50),
      this.audit.actions(store),
      User.query().where('store_id', store.id).orderBy('name'),
    ])
    const query: Record<string, string | number> = {}
    for (const [key, value] of Object.entries({ action: filters.action, user_id: filters.userId, from: filters.from, to: filters.to })) if (value) query[key] = value
    entries?.baseUrl('/backoffice/audit').queryString(query)
    if (errors) response.status(422)
    return view.render('backoffice/audit/index', {
      entries,
      details: entries ? this.audit.details(store, entries.all()) : {},
      errors,
      paginator: entries,
      userNames: Object.fromEntries(users.map((u) => [u.id, u.name])),
      exportUrl: '/backoffice/audit.csv?' + new URLSearchParams(query as Record<string, string>).toString(),
      filters: shownFilters(request.qs(), filters, errors),
      // Said in words, in their order; the value stays the identifier (URLs, the CSV)
      actionOptions: [
        { value: '', label: 'All actions' },
        ...actions.map((a) => ({ value: a, label: auditActionWords(a) })).sort((x, y) => x.label.localeCompare(y.label)),
      ],
      actionWords: auditActionWords,
      userOptions: [{ value: '', label: 'Everyone' }, ...users.map((u) => ({ value: u.id, label: u.name }))],
    })
  }

  /** GET /backoffice/audit.csv (admins) */
  async auditExport({ request, response, store }: HttpContext) {
    const { filters, errors } = auditFilters(request.qs())
    if (errors) {
      response.status(422).header('content-type', 'text/plain; charset=utf-8')
      return Object.entries(errors).map(([field, message]) => `${field}: ${message}`).join('\n')
    }
    const users = await User.query().where('store_id', store.id)
    const csv = await this.audit.csv(store, filters, new Map(users.map((u) => [u.id, u.name])))
    response.header('content-type', 'text/csv; charset=utf-8')
    response.header('content-disposition', `attachment; filename="audit-log-${DateTime.now().setZone(store.timeZone).toISODate()}.csv"`)
    response.stream(csv)
  }

  /** GET /backoffice/audit/chain (admins): the same verifier as node ace audit:verify */
  async chain({ view, store }: HttpContext) {
    const verdicts = await withoutQueryDeadline(() => verifyChains(store.id))
    return view.render('backoffice/audit/chain', { verdicts, ok: verdicts.every((v) => v.ok) })
  }
}

/**
 * The log's filters, or each one that is not valid by field (null: none): a day that is not one, an
 * action not written as one, a user that is not an id, a list where one value belongs. Each of these
 * was read as no filter, and the log of every day, action or user was shown as if filtered.
 */
function auditFilters(qs: Record<string, unknown>): { filters: AuditFilters; errors: Record<string, string> | null } {
  const errors: Record<string, string> = {}
  for (const field of ['from', 'to'] as const) {
    const problem = dayError(qs[field])
    if (problem) errors[field] = problem
  }
  const action = qs.action === undefined || qs.action === '' ? null : qs.action
  if (action !== null && !(typeof action === 'string' && /^[a-z_:.]{1,60}$/.test(action))) errors.action = 'Choose an action from the list'
  const userId = filterId(qs.user_id)
  if (Number.isNaN(userId)) errors.user_id = 'Choose a user from the list'
  const filters = { action: errors.action ? null : (action as string | null), userId: errors.user_id ? null : (userId ?? null), from: calendarDay(qs.from), to: calendarDay(qs.to) }
  return { filters, errors: Object.keys(errors).length ? errors : null }
}

/** The form's values: what was typed where it was refused, so it can be corrected */
function shownFilters(qs: Record<string, unknown>, filters: AuditFilters, errors: Record<string, string> | null) {
  const typed = (field: string, value: unknown) => (errors?.[field] ? (typeof qs[field] === 'string' ? qs[field] : '') : (value ?? ''))
  return { action: typed('action', filters.action), user_id: typed('user_id', filters.userId), from: typed('from', filters.from), to: typed('to', filters.to) }
}
