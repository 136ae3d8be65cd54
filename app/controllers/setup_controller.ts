import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import StoreSetupService from '#stores/store_setup_service'
import { setupValidator } from '#validators/setup'
import { signIn } from '#staff/sessions'

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
    const { admin } = await this.setup.create({
      storeName: input.store_name,
      address: input.address,
      currency: input.currency,
      timeZone: input.time_zone,
      taxRatePpm: Math.round(Number(input.tax_rate ?? 0) * 10_000),
      pricesIncludeTax: !!input.prices_include_tax,
      admin: { name: input.name, email: input.email, password: input.password },
    })
    await signIn(ctx, admin)
    return response.redirect('/backoffice')
  }
}
