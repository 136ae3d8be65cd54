import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import CustomerService from '#customers/customer_service'
import { customerJson, purchaseJson } from '#customers/customer_presenters'
import { runIdempotent } from '#platform/idempotency_service'
import { customerListValidator, customerValidator, historyPageValidator, updateCustomerValidator } from '#validators/customers'

/** The store's customers over the API (the route checks manageCustomers); sales take them by customer_id */
@inject()
export default class CustomersController {
  constructor(private customers: CustomerService) {}

  /** ?search= matches a word of the name, an email by its first characters, or a phone's digits (customer_service.ts) */
  async index({ request, store }: HttpContext) {
    const filters = await request.validateUsing(customerListValidator, { data: request.qs() })
    const page = await this.customers.search(store, { search: filters.search, page: filters.page, perPage: filters.per_page })
    const meta = page.getMeta()
    return {
      data: page.all().map(customerJson),
      meta: { total: meta.total, per_page: meta.perPage, current_page: meta.currentPage, last_page: meta.lastPage },
    }
  }

  /** The customer with their purchase history (?page= pages through it, newest first) */
  async show({ params, request, store }: HttpContext) {
    const customer = await this.customers.find(store, params.id)
    const { page } = await request.validateUsing(historyPageValidator, { data: request.qs() })
    const [sales, totals] = await Promise.all([this.customers.history(store, customer, page ?? 1), this.customers.totals(store, customer)])
    const meta = sales.getMeta()
    return {
      ...customerJson(customer),
      purchases: {
        count: totals.count,
        // What was paid for the purchases (cash rounding included), less what refunds gave back (refunded)
        total: totals.spent,
        refunded: totals.refunded,
        data: sales.all().map(purchaseJson),
        meta: { total: meta.total, per_page: meta.perPage, current_page: meta.currentPage, last_page: meta.lastPage },
      },
    }
  }

  async store(ctx: HttpContext) {
    const body = await ctx.request.validateUsing(customerValidator)
    return runIdempotent(ctx, async () => {
      const customer = await this.customers.create(ctx.store, body)
      return { status: 201, body: customerJson(await this.customers.find(ctx.store, customer.id)) }
    })
  }

  async update(ctx: HttpContext) {
    const customer = await this.customers.find(ctx.store, ctx.params.id)
    const body = await ctx.request.validateUsing(updateCustomerValidator)
    return runIdempotent(ctx, async () => {
      const updated = await this.customers.update(ctx.store, customer, body)
      return { status: 200, body: customerJson(await this.customers.find(ctx.store, updated.id)) }
    })
  }
}
