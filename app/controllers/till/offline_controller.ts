import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import OfflineCatalogService from '#sales/offline_catalog_service'
import OfflineSyncService from '#sales/offline_sync_service'
import RegisterLeaseService from '#sales/register_lease_service'
import OfflineReviewService from '#sales/offline_review_service'
import { catalogValidator, handOverValidator, leaseValidator, offlineSalesValidator } from '#validators/offline'
import { actorOf } from '#staff/actor'
import { typedNumber } from '#validators/fields'

/** What the offline till asks of the server while it can reach it: its catalog, its lease, and syncing */
@inject()
export default class TillOfflineController {
  constructor(
    private catalog: OfflineCatalogService,
    private leases: RegisterLeaseService,
    private sync: OfflineSyncService,
    private reviews: OfflineReviewService
  ) {}

  /** The store's rules, tax rates and categories, and who is selling (no secret of theirs) */
  async settings(ctx: HttpContext) {
    const user = ctx.auth.user!
    return { ...(await this.catalog.settings(ctx.store)), user: { id: user.id, name: user.name, role: user.role } }
  }

  async catalogPage(ctx: HttpContext) {
    const { since } = await ctx.request.validateUsing(catalogValidator)
    const after = typedNumber(ctx.request.input('after_id', 0))
    const afterId = Number.isSafeInteger(after) && after > 0 ? after : 0
    return this.catalog.page(ctx.store, { since, afterId })
  }

  async lease(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(leaseValidator)
    return this.leases.take(ctx.auth.user!, ctx.store, input, ctx.request.ip())
  }

  /**
   * A batch of one register's offline sales, oldest first: per sale, in the order sent, recorded
   * now, replayed (recorded before: its first answer), refused, in conflict, or skipped (after a
   * refused one or a conflict, not looked at)
   */
  async storeSales(ctx: HttpContext) {
    const { sales } = await ctx.request.validateUsing(offlineSalesValidator)
    const results = await this.sync.record(actorOf(ctx), sales)
    return {
      results: results.map((r) => ({ client_uuid: r.clientUuid, outcome: r.outcome, sale_id: r.saleId ?? null, number: r.number ?? null, reviews: r.reviews ?? [], error: r.error ?? null, kept_for_review: r.kept ?? false, ...(r.parkedCarts ? { parked_carts: r.parkedCarts } : {}) })),
    }
  }

  /** A till stopped by a conflict hands over its held sales once a manager has looked (offline_review_service.ts) */
  async handOver(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(handOverValidator)
    return this.reviews.handOver(ctx.auth.user!, ctx.store, input, ctx.request.ip())
  }
}
