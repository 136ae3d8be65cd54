import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import CustomerService from '#customers/customer_service'
import CustomerPrivacyService from '#customers/customer_privacy_service'
import { customerListValidator, customerValidator, historyPageValidator, privacyActionValidator } from '#validators/customers'

/** Customers in the back office: list and search, create, edit, their purchases; export and erasure for admins */
@inject()
export default class CustomersController {
  constructor(
    private customers: CustomerService,
    private privacy: CustomerPrivacyService
  ) {}

  async index({ request, view, store }: HttpContext) {
    const filters = await request.validateUsing(customerListValidator, { data: request.qs() })
    const customers = await this.customers.search(store, { search: filters.search, includeErased: true, page: filters.page, perPage: 25 })
    customers.baseUrl('/backoffice/customers').queryString(filters.search ? { search: filters.search } : {})
    return view.render('backoffice/customers/index', { customers, filters })
  }

  async create({ view }: HttpContext) {
    return view.render('backoffice/customers/form', { customer: null, values: {} })
  }

  async store({ request, response, session, store }: HttpContext) {
    const input = await request.validateUsing(customerValidator)
    const customer = await this.customers.create(store, input)
    session.flash('notice', `Customer "${customer.name}" created`)
    return response.redirect(`/backoffice/customers/${customer.id}`)
  }

  async show({ params, request, view, store }: HttpContext) {
    const customer = await this.customers.find(store, params.id)
    const { page } = await request.validateUsing(historyPageValidator, { data: request.qs() })
    const [sales, totals] = await Promise.all([this.customers.history(store, customer, page ?? 1), this.customers.totals(store, customer)])
    sales.baseUrl(`/backoffice/customers/${customer.id}`)
    return view.render('backoffice/customers/show', { customer, sales, totals })
  }

  async edit({ params, view, store }: HttpContext) {
    const customer = await this.customers.find(store, params.id)
    const values = { name: customer.name, email: customer.email, phone: customer.phone, notes: customer.notes }
    return view.render('backoffice/customers/form', { customer, values })
  }

  async update({ params, request, response, session, store }: HttpContext) {
    const customer = await this.customers.find(store, params.id)
    const input = await request.validateUsing(customerValidator)
    // A field emptied on the form is cleared
    await this.customers.update(store, customer, { name: input.name, email: input.email ?? null, phone: input.phone ?? null, notes: input.notes ?? null })
    session.flash('notice', `Customer "${input.name}" saved`)
    return response.redirect(`/backoffice/customers/${customer.id}`)
  }

  /** Everything the POS holds about the customer, as a JSON or CSV download (audited) */
  async export({ params, request, response, store, auth }: HttpContext) {
    const customer = await this.customers.find(store, params.id)
    const { format } = await request.validateUsing(privacyActionValidator)
    const data = await this.privacy.exportData(store, customer, { user: auth.user!, ip: request.ip() }, format ?? 'json')
    const csv = format === 'csv'
    response.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    response.header('content-disposition', `attachment; filename="customer-${customer.id}.${csv ? 'csv' : 'json'}"`)
    response.header('cache-control', 'no-store')
    if (csv) return response.stream(this.privacy.toCsv(data))
    return response.send(JSON.stringify(data, null, 2))
  }

  async erase({ params, request, response, session, store, auth }: HttpContext) {
    const customer = await this.customers.find(store, params.id)
    await request.validateUsing(privacyActionValidator)
    await this.privacy.erase(store, customer.id, { user: auth.user!, ip: request.ip() })
    session.flash('notice', `Customer #${customer.id} was erased: their sales stay, without their name`)
    return response.redirect(`/backoffice/customers/${customer.id}`)
  }
}
