import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Product from '#models/product'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import CatalogService, { type ProductInput } from '#catalog/catalog_service'
import { updateProduct } from '#inventory/product_update'
import { actorOf } from '#staff/actor'
import { minorToDecimal } from '#core/money'
import { priceTooHigh, typedPrice } from '#catalog/typed_price'
import { productFormValidator, productListValidator } from '#validators/catalog'
import { DomainError, notFound } from '#exceptions/domain_error'

/** The catalog's field names, as the back-office form calls them */
const FORM_FIELDS: Record<string, string> = { barcode: 'barcodes', category: 'category_id', categoryId: 'category_id', taxClass: 'tax_class' }

@inject()
export default class ProductsController {
  constructor(private catalog: CatalogService) {}

  async index({ request, view, store }: HttpContext) {
    const filters = await request.validateUsing(productListValidator, { data: request.qs() })
    const products = await this.catalog.search(store.id, {
      search: filters.search,
      includeArchived: filters.archived ?? false,
      page: filters.page,
      perPage: 25,
    })
    const query: Record<string, string> = {}
    if (filters.search) query.search = filters.search
    if (filters.archived) query.archived = '1'
    products.baseUrl('/backoffice/products').queryString(query)
    return view.render('backoffice/products/index', { products, filters })
  }

  async create({ view, store }: HttpContext) {
    return view.render('backoffice/products/form', { product: null, values: { active: true, tax_class: 'standard', stock: 0 }, ...(await this.#choices(store)) })
  }

  async store({ request, response, session, store, auth }: HttpContext) {
    const input = await this.#input(request, store)
    const product = await this.#onForm(() => this.catalog.create(store, { ...input, stock: input.stock ?? 0 }, auth.user!))
    session.flash('notice', `Product "${product.name}" created`)
    return response.redirect('/backoffice/products')
  }

  async edit({ params, view, store }: HttpContext) {
    const product = await this.#find(store, params.id)
    const values = {
      name: product.name,
      sku: product.sku,
      barcodes: product.barcodes.map((b) => b.code).join(', '),
      category_id: product.categoryId ?? '',
      price: minorToDecimal(product.price, store.currency),
      cost: minorToDecimal(product.cost, store.currency),
      tax_class: product.taxClass,
      stock: product.stock,
      active: product.active,
    }
    return view.render('backoffice/products/form', { product, values, ...(await this.#choices(store)) })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, store } = ctx
    const product = await this.#find(store, params.id)
    const input = await this.#input(request, store)
    // Stock moves while the form is open (sales): only an edited figure becomes an adjustment
    const stockWas = request.input('stock_was')
    const stock = input.stock === null || String(input.stock) === String(stockWas) ? undefined : input.stock
    await this.#onForm(() => updateProduct(actorOf(ctx), product, { ...input, stock }))
    session.flash('notice', `Product "${input.name}" saved`)
    return response.redirect('/backoffice/products')
  }

  async destroy({ params, response, session, store, auth }: HttpContext) {
    const product = await this.#find(store, params.id)
    const outcome = await this.catalog.archiveOrDelete(product, auth.user!)
    session.flash(
      'notice',
      outcome === 'archived'
        ? `Product "${product.name}" has sales, refunds or stock records, so it was archived (not deleted): it is off the till and can be restored`
        : `Product "${product.name}" was deleted`
    )
    return response.redirect('/backoffice/products')
  }

  async restore({ params, response, session, store }: HttpContext) {
    const product = await this.#find(store, params.id)
    await this.catalog.restore(product)
    session.flash('notice', `Product "${product.name}" restored`)
    return response.redirect('/backoffice/products')
  }

  async #find(store: Store, id: unknown) {
    const product = await Product.query().where({ id: Number(id) || 0, store_id: store.id }).preload('barcodes').first()
    if (!product) throw notFound('The product')
    return product
  }

  async #choices(store: Store) {
    const [categories, taxRates] = await Promise.all([
      this.catalog.categories(store.id),
      // Only the columns the form needs
      db.from('tax_rates').where('store_id', store.id).orderBy('rate_ppm', 'desc').orderBy('tax_class').select('tax_class', 'name', 'rate_ppm'),
    ])
    return {
      categoryOptions: [{ value: '', label: '— No category —' }, ...categories.map((c) => ({ value: c.id, label: c.name }))],
      taxOptions: taxRates.map((r) => ({ value: r.tax_class, label: `${r.name} (${Number((Number(r.rate_ppm) / 10000).toFixed(4))}%)` })),
      taxClasses: taxRates.map((r) => r.tax_class as string),
    }
  }

  /** The form's text turned into the catalog's input: decimal prices to minor units, barcodes to a list */
  async #input(request: HttpContext['request'], store: Store): Promise<ProductInput> {
    // The checkbox component sends a hidden "" before the box, so a ticked box arrives as ["", "on"]
    const active = [request.input('active')].flat().includes('on')
    const form = await request.validateUsing(productFormValidator, {
      data: { ...request.all(), active: active ? 'on' : undefined },
    })
    const price = this.#typedPrice('price', form.price, store, 1299)
    const cost = form.cost ? this.#typedPrice('cost', form.cost, store, 450) : 0
    const taxClasses = (await this.#choices(store)).taxClasses
    if (!taxClasses.includes(form.tax_class)) throw this.#fieldError('tax_class', 'Choose one of the store’s tax classes')
    const barcodes = [...new Set((form.barcodes ?? '').split(/[\s,;]+/).filter((code) => code.length > 0))]
    if (barcodes.length > 10) throw this.#fieldError('barcodes', 'A product has at most 10 barcodes')
    return {
      name: form.name,
      sku: form.sku,
      barcodes,
      price,
      cost,
      categoryId: form.category_id ?? null,
      taxClass: form.tax_class,
      stock: form.stock ?? null,
      active,
    }
  }

  /** A price or cost typed as a decimal, in minor units; refused at its field with an `example` of one */
  #typedPrice(field: 'price' | 'cost', text: string, store: Store, example: number) {
    const amount = typedPrice(text, store.currency)
    if (amount === 'too_high') throw this.#fieldError(field, priceTooHigh(field, store.currency))
    if (amount === null) throw this.#fieldError(field, `Enter a ${field} like ${minorToDecimal(example, store.currency)}`)
    return amount
  }

  #fieldError(field: string, message: string) {
    return new DomainError(message, { code: 'invalid_field', field })
  }

  /** Catalog errors land on the form field that caused them */
  async #onForm<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof DomainError && error.field && FORM_FIELDS[error.field]) error.field = FORM_FIELDS[error.field]
      throw error
    }
  }
}
