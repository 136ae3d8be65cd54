import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import User from '#models/user'
import VoidService from '#returns/void_service'
import AuditLogService, { type AuditFilters } from '#reports/audit_log_service'
import { verifyChains } from '#sales/chain_verifier'
import { actorOf } from '#staff/actor'

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
  async auditLog({ request, view, store }: HttpContext) {
    const filters = this.#filters(request.qs())
    const page = Math.max(1, Number(request.qs().page) || 1)
    const [entries, actions, users] = await Promise.all([
      this.audit.query(store, filters).paginate(page, 50),
      this.audit.actions(store),
      User.query().where('store_id', store.id).orderBy('name'),
    ])
    const query: Record<string, string | number> = {}
    for (const [key, value] of Object.entries({ action: filters.action, user_id: filters.userId, from: filters.from, to: filters.to })) if (value) query[key] = value
    entries.baseUrl('/backoffice/audit').queryString(query)
    return view.render('backoffice/audit/index', {
      entries,
      paginator: entries,
      userNames: Object.fromEntries(users.map((u) => [u.id, u.name])),
      exportUrl: '/backoffice/audit.csv?' + new URLSearchParams(query as Record<string, string>).toString(),
      filters: { action: filters.action ?? '', user_id: filters.userId ?? '', from: filters.from ?? '', to: filters.to ?? '' },
      actionOptions: [{ value: '', label: 'All actions' }, ...actions.map((a) => ({ value: a, label: a }))],
      userOptions: [{ value: '', label: 'Everyone' }, ...users.map((u) => ({ value: u.id, label: u.name }))],
    })
  }

  /** GET /backoffice/audit.csv (admins) */
  async auditExport({ request, response, store }: HttpContext) {
    const users = await User.query().where('store_id', store.id)
    const csv = await this.audit.csv(store, this.#filters(request.qs()), new Map(users.map((u) => [u.id, u.name])))
    response.header('content-type', 'text/csv; charset=utf-8')
    response.header('content-disposition', `attachment; filename="audit-log-${DateTime.now().setZone(store.timeZone).toISODate()}.csv"`)
    response.stream(csv)
  }

  /** GET /backoffice/audit/chain (admins): the same verifier as node ace audit:verify */
  async chain({ view, store }: HttpContext) {
    const verdicts = await verifyChains(store.id)
    return view.render('backoffice/audit/chain', { verdicts, ok: verdicts.every((v) => v.ok) })
  }

  #filters(qs: Record<string, any>): AuditFilters {
    const day = (value: unknown) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid ? value : null)
    const userId = Number(qs.user_id)
    return {
      action: typeof qs.action === 'string' && /^[a-z_:.]{1,60}$/.test(qs.action) ? qs.action : null,
      userId: Number.isSafeInteger(userId) && userId > 0 ? userId : null,
      from: day(qs.from),
      to: day(qs.to),
    }
  }
}
