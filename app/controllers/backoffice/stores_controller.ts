import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import StoreAdminService, { type StoreInput } from '#stores/store_admin_service'
import { registerValidator, staffValidator, storeValidator } from '#validators/stores'

/** The Stores page (admins: the route checks manageStores): a store's settings, registers and staff */
@inject()
export default class StoresController {
  constructor(private stores: StoreAdminService) {}

  async index({ view, auth }: HttpContext) {
    return view.render('backoffice/stores/index', { stores: await this.stores.list(auth.user!) })
  }

  async create({ view, store }: HttpContext) {
    const values = { currency: store.currency, time_zone: store.timeZone, cash_rounding: store.cashRounding, discount_limit: 20, prices_include_tax: store.pricesIncludeTax }
    return view.render('backoffice/stores/form', { editing: null, values, candidates: [] })
  }

  async store({ request, response, session, auth, store }: HttpContext) {
    const created = await this.stores.create(await this.#input(request), auth.user!, store, request.ip())
    session.flash('notice', `Store "${created.name}" created with one register`)
    return response.redirect(`/backoffice/stores/${created.id}/edit`)
  }

  async edit({ params, view, auth }: HttpContext) {
    const editing = await this.stores.find(auth.user!, params.id)
    const values = {
      name: editing.name,
      address: editing.address,
      currency: editing.currency,
      time_zone: editing.timeZone,
      cash_rounding: editing.cashRounding,
      discount_limit: editing.discountLimit / 100,
      allow_negative_stock: editing.allowNegativeStock,
      prices_include_tax: editing.pricesIncludeTax,
      receipt_footer: editing.receiptFooter,
    }
    return view.render('backoffice/stores/form', { editing, values, candidates: await this.stores.candidates(auth.user!, editing) })
  }

  async update({ params, request, response, session, auth }: HttpContext) {
    const editing = await this.stores.find(auth.user!, params.id)
    await this.stores.update(editing, await this.#input(request), auth.user!, request.ip())
    session.flash('notice', `Store "${editing.name}" saved`)
    return response.redirect(`/backoffice/stores/${editing.id}/edit`)
  }

  async addRegister({ params, request, response, session, auth }: HttpContext) {
    const editing = await this.stores.find(auth.user!, params.id)
    const { name } = await request.validateUsing(registerValidator)
    await this.stores.addRegister(editing, name)
    session.flash('notice', `Register "${name}" added`)
    return response.redirect(`/backoffice/stores/${editing.id}/edit`)
  }

  async renameRegister({ params, request, response, session, auth }: HttpContext) {
    const editing = await this.stores.find(auth.user!, params.id)
    const { name } = await request.validateUsing(registerValidator)
    await this.stores.renameRegister(editing, params.registerId, name)
    session.flash('notice', `Register renamed "${name}"`)
    return response.redirect(`/backoffice/stores/${editing.id}/edit`)
  }

  async staff({ params, request, response, session, auth }: HttpContext) {
    const editing = await this.stores.find(auth.user!, params.id)
    const ids = [request.input('user_ids') ?? []].flat().filter((id) => id !== '' && id !== null)
    const { user_ids: userIds } = await request.validateUsing(staffValidator, { data: { user_ids: ids } })
    await this.stores.setStaff(auth.user!, editing, userIds ?? [], request.ip())
    session.flash('notice', `Staff of "${editing.name}" saved`)
    return response.redirect(`/backoffice/stores/${editing.id}/edit`)
  }

  async #input(request: HttpContext['request']): Promise<StoreInput> {
    // The checkbox component sends a hidden "" before the box, so a ticked box arrives as ["", "on"]
    const ticked = (name: string) => [request.input(name)].flat().includes('on')
    const form = await request.validateUsing(storeValidator, {
      data: { ...request.all(), allow_negative_stock: ticked('allow_negative_stock') ? 'on' : undefined, prices_include_tax: ticked('prices_include_tax') ? 'on' : undefined },
    })
    return {
      name: form.name,
      address: form.address ?? null,
      currency: form.currency,
      timeZone: form.time_zone,
      cashRounding: form.cash_rounding,
      discountLimit: form.discount_limit === undefined ? undefined : Math.round(form.discount_limit * 100),
      allowNegativeStock: !!form.allow_negative_stock,
      pricesIncludeTax: !!form.prices_include_tax,
      receiptFooter: form.receipt_footer ?? null,
    }
  }
}
