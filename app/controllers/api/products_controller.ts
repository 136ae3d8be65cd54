import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Product from '#models/product'
import TaxRate from '#models/tax_rate'
import type Store from '#models/store'
import CatalogService, { type ProductInput } from '#catalog/catalog_service'
import { updateProduct } from '#inventory/product_update'
import { actorOf } from '#staff/actor'
import { productJson } from '#sales/api_presenters'
import { runIdempotent } from '#platform/idempotency_service'
import { createProductValidator, productListValidator, updateProductValidator } from '#validators/catalog'
import { DomainError, notFound } from '#exceptions/domain_error'

@inject()
export default class ProductsController {
  constructor(private catalog: CatalogService) {}

  async index({ request, bouncer, store }: HttpContext) {
    await bouncer.authorize('viewProducts')
    const filters = await request.validateUsing(productListValidator, { data: request.qs() })
    const page = await this.catalog.search(store.id, {
      search: filters.search,
      barcode: filters.barcode,
      categoryId: filters.category_id,
      includeArchived: filters.archived,
      updatedSince: filters.updated_since,
      afterId: filters.after_id,
      page: filters.page,
      perPage: filters.per_page,
    })
    const meta = page.getMeta()
    const withCost = await bouncer.allows('manageProducts')
    const products = page.all()
    // A list of changes pages by id: the next page is after this one's last (catalog_service.ts)
    const next = filters.updated_since ? { next_after_id: meta.lastPage > 1 ? products.at(-1)!.id : null } : {}
    return {
      data: products.map((product) => productJson(product, withCost)),
      meta: { total: meta.total, per_page: meta.perPage, current_page: meta.currentPage, last_page: meta.lastPage, ...next },
    }
  }

  async show({ params, bouncer, store }: HttpContext) {
    await bouncer.authorize('viewProducts')
    return productJson(await this.#find(store, params.id), await bouncer.allows('manageProducts'))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageProducts')
    const body = await ctx.request.validateUsing(createProductValidator)
    return runIdempotent(ctx, async () => {
      const input = (await this.#input(ctx.store, body)) as ProductInput
      const product = await this.catalog.create(ctx.store, input, ctx.auth.user!)
      return { status: 201, body: productJson(await this.#find(ctx.store, product.id), true) }
    })
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageProducts')
    const product = await this.#find(ctx.store, ctx.params.id)
    const body = await ctx.request.validateUsing(updateProductValidator)
    return runIdempotent(ctx, async () => {
      await updateProduct(actorOf(ctx), product, await this.#input(ctx.store, body))
      return { status: 200, body: productJson(await this.#find(ctx.store, product.id), true) }
    })
  }

  /** Deleted (204) or, named by a sale, refund or stock record, archived (200, the product); retried with its Idempotency-Key, the same answer */
  async destroy(ctx: HttpContext) {
    await ctx.bouncer.authorize('manageProducts')
    return runIdempotent(ctx, async () => {
      const product = await this.#find(ctx.store, ctx.params.id)
      const outcome = await this.catalog.archiveOrDelete(product, ctx.auth.user!)
      if (outcome === 'deleted') return { status: 204, body: null }
      return { status: 200, body: productJson(await this.#find(ctx.store, product.id), true) }
    })
  }

  async #find(store: Store, id: unknown) {
    const product = await Product.query()
      .where({ id: Number(id) || 0, store_id: store.id })
      .preload('barcodes')
      .preload('category')
      .first()
    if (!product) throw notFound('The product')
    return product
  }

  /** Maps the API's field names onto the catalog's, checking the tax class */
  async #input(store: Store, body: Record<string, any>): Promise<Partial<ProductInput>> {
    // One way to name it: with both, category_id was dropped without a word
    if (body.category !== undefined && body.category_id !== undefined) {
      throw new DomainError('Send category (a name) or category_id, not both', { code: 'invalid_category', field: 'category' })
    }
    if (body.tax_class) {
      const known = await TaxRate.query().where('store_id', store.id).select('tax_class')
      if (!known.some((r) => r.taxClass === body.tax_class)) {
        throw new DomainError(`Unknown tax class; use one of: ${known.map((r) => r.taxClass).join(', ')}`, {
          code: 'unknown_tax_class',
          field: 'tax_class',
        })
      }
    }
    // One way to send them: both, and the single one was dropped without a word
    if (body.barcodes !== undefined && body.barcode !== undefined) {
      throw new DomainError('Send barcode (one) or barcodes (a list), not both', { code: 'invalid_barcode', field: 'barcode' })
    }
    const barcodes = body.barcodes ?? (body.barcode === undefined ? undefined : body.barcode ? [body.barcode] : [])
    return {
      name: body.name,
      sku: body.sku,
      barcodes,
      barcodesField: body.barcodes !== undefined ? ('barcodes' as const) : ('barcode' as const),
      price: body.price,
      cost: body.cost,
      categoryId: body.category === null ? null : body.category_id,
      categoryName: body.category || undefined,
      taxClass: body.tax_class,
      stock: body.stock,
      active: body.active,
    }
  }
}
