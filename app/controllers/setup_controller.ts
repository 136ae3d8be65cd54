import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import StoreSetupService from '#stores/store_setup_service'
import { setupValidator } from '#validators/setup'
import { signIn } from '#staff/sessions'
import { DomainError } from '#exceptions/domain_error'

/** First start on an empty database: create the store and its admin, then sign in */
@inject()
export default class SetupController {
  constructor(private setup: StoreSetupService) {}

  async create({ view, response }: HttpContext) {
    if (!(await this.setup.needsSetup())) return response.redirect('/login')
    return view.render('auth/setup')
  }

  async store(ctx: HttpContext) {
    const { request, response } = ctx
    if (!(await this.setup.needsSetup())) return response.redirect('/login')
    const input = await request.validateUsing(setupValidator)
    const created = await this.setup
      .create({
        storeName: input.store_name,
        address: input.address,
        currency: input.currency,
        timeZone: input.time_zone,
        taxRatePpm: Math.round(Number(input.tax_rate ?? 0) * 10_000),
        pricesIncludeTax: !!input.prices_include_tax,
        admin: { name: input.name, email: input.email, password: input.password },
      })
      // Another setup sent at the same moment made the store: this one is the sign-in's
      .catch((error) => {
        if (error instanceof DomainError && error.code === 'already_set_up') return null
        throw error
      })
    if (!created) return response.redirect('/login')
    await signIn(ctx, created.admin)
    return response.redirect('/backoffice')
  }
}
