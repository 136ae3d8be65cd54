import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import OfflineReviewService from '#sales/offline_review_service'
import RegisterLeaseService from '#sales/register_lease_service'
import HeldSaleRecorder from '#sales/held_sale_recorder'
import { actorOf } from '#staff/actor'

/** Offline sales for a manager: what to review after a sync, and which till holds which register */
@inject()
export default class OfflineReviewsController {
  constructor(
    private reviews: OfflineReviewService,
    private leases: RegisterLeaseService,
    private held: HeldSaleRecorder
  ) {}

  async index(ctx: HttpContext) {
    const showResolved = ctx.request.input('show') === 'resolved'
    const reviews = await this.reviews.list(ctx.store.id, showResolved)
    const registers = await this.leases.leases(ctx.store.id)
    return ctx.view.render('backoffice/offline/index', { reviews, registers, showResolved })
  }

  /** One review: a sale kept whole beside the sale that holds its number, with what may be done with it */
  async show(ctx: HttpContext) {
    const detail = await this.reviews.detail(ctx.store, Number(ctx.params.id) || 0)
    return ctx.view.render('backoffice/offline/show', detail)
  }

  async record(ctx: HttpContext) {
    const id = Number(ctx.params.id) || 0
    const { number } = await this.held.record(actorOf(ctx), id)
    ctx.session.flash('notice', `Recorded as sale #${number} of its register, dated when it was made.`)
    return ctx.response.redirect(`/backoffice/offline/${id}`)
  }

  async dismiss(ctx: HttpContext) {
    const id = Number(ctx.params.id) || 0
    await this.held.dismissAsSame(actorOf(ctx), id)
    ctx.session.flash('notice', 'Dismissed as the same sale as the one recorded with its number: nothing was recorded.')
    return ctx.response.redirect(`/backoffice/offline/${id}`)
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
