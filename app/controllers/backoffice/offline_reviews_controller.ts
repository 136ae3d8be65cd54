import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import OfflineReviewService from '#sales/offline_review_service'
import RegisterLeaseService from '#sales/register_lease_service'

/** Offline sales for a manager: what to review after a sync, and which till holds which register */
@inject()
export default class OfflineReviewsController {
  constructor(
    private reviews: OfflineReviewService,
    private leases: RegisterLeaseService
  ) {}

  async index(ctx: HttpContext) {
    const showResolved = ctx.request.input('show') === 'resolved'
    const reviews = await this.reviews.list(ctx.store.id, showResolved)
    const registers = await this.leases.leases(ctx.store.id)
    return ctx.view.render('backoffice/offline/index', { reviews, registers, showResolved })
  }

  async resolve(ctx: HttpContext) {
    await this.reviews.resolve(ctx.auth.user!, ctx.store.id, Number(ctx.params.id) || 0)
    ctx.session.flash('notice', 'Marked as reviewed. A till stopped by this conflict now hands over the sales it holds (listed here) and takes its register afresh.')
    return ctx.response.redirect('/backoffice/offline')
  }

  async release(ctx: HttpContext) {
    await this.leases.release(ctx.auth.user!, ctx.store, Number(ctx.params.id) || 0, ctx.request.ip())
    ctx.session.flash('notice', 'The register is free: any till may take it. Sales still on the old till will arrive here as conflicts, kept whole for review.')
    return ctx.response.redirect('/backoffice/offline')
  }
}
