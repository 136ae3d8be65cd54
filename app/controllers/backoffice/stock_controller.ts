import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import StockService, { ADJUSTMENT_REASONS } from '#inventory/stock_service'
import StocktakeService from '#inventory/stocktake_service'
import CatalogService from '#catalog/catalog_service'
import { parseMoney, minorToDecimal } from '#core/money'
import { DomainError, FieldErrors } from '#exceptions/domain_error'
import { FieldProblems } from '#inventory/stock_ledger'
import { actorOf } from '#staff/actor'
import { submitOnce } from '#platform/form_submissions'
import { filterId, pageNumber, typedNumber } from '#validators/fields'

/*
| The back office's stock pages (ability manageStock): receiving, adjustments, transfers,
| stocktakes and a product's ledger. Lines are typed as a SKU or barcode and a quantity;
| errors land on the line and column that caused them (items.N.code, items.N.quantity).
*/

const FORM_LINES = 8

interface FormLine {
  index: number
  code: string
  quantity: string
  unitCost: string
}

@inject()
export default class StockController {
  constructor(
    private stock: StockService,
    private stocktaking: StocktakeService,
    private catalog: CatalogService
  ) {}


  async index({ view, store }: HttpContext) {
    const [receipts, transfers, stocktakes, adjustments] = await Promise.all([
      db.from('stock_receipts').where('store_id', store.id).orderBy('id', 'desc').limit(10),
      this.stock.transfers(store.id),
      this.stocktaking.stocktakes(store.id),
      db.from('stock_adjustments').where('store_id', store.id).orderBy('id', 'desc').limit(10),
    ])
    return view.render('backoffice/stock/index', { receipts, transfers: transfers.slice(0, 20), stocktakes: stocktakes.slice(0, 10), adjustments })
  }

  // ---------------------------------------------------------------- receipts
  async newReceipt({ view }: HttpContext) {
    return view.render('backoffice/stock/receipt_form', { lines: FORM_LINES })
  }

  async storeReceipt(ctx: HttpContext) {
    const { session, store } = ctx
    // Every field's refusal at once, the form's own (a SKU unknown, a cost not money) with the
    // service's (the supplier, the quantities, an archived product): it showed one at a time
    const { lines, problems } = await this.#lines(ctx)
    const input = {
      supplier: this.#text(ctx, 'supplier') ?? '',
      reference: this.#text(ctx, 'reference'),
      note: this.#text(ctx, 'note'),
      lines: lines.map((l) => ({
        productId: l.productId,
        quantity: typedNumber(l.quantity),
        unitCost: this.#cost(l, store.currency, problems),
      })),
    }
    return submitOnce(ctx, async () => {
      const receipt = await this.#onLines(lines, () => this.stock.receive(actorOf(ctx), input, problems))
      session.flash('notice', `Received ${receipt.lines.length} line(s) from ${receipt.supplier}`)
      return `/backoffice/stock/receipts/${receipt.id}`
    })
  }

  async showReceipt({ params, view, store }: HttpContext) {
    return view.render('backoffice/stock/receipt', { receipt: await this.stock.receipt(store.id, Number(params.id) || 0) })
  }

  // ---------------------------------------------------------------- adjustments
  async newAdjustment({ view, request }: HttpContext) {
    return view.render('backoffice/stock/adjustment_form', { lines: 4, reasons: ADJUSTMENT_REASONS, code: request.input('code') ?? '' })
  }

  async storeAdjustment(ctx: HttpContext) {
    const { lines, problems } = await this.#lines(ctx)
    problems.throwIfAny()
    const input = {
      reason: this.#text(ctx, 'reason') ?? '',
      note: this.#text(ctx, 'note'),
      lines: lines.map((l) => ({ productId: l.productId, quantity: typedNumber(l.quantity) })),
    }
    return submitOnce(ctx, async () => {
      await this.#onLines(lines, () => this.stock.adjust(actorOf(ctx), input))
      ctx.session.flash('notice', `Stock adjusted (${input.reason}) on ${lines.length} product(s)`)
      return '/backoffice/stock'
    })
  }

  // ---------------------------------------------------------------- transfers
  async newTransfer({ view, store }: HttpContext) {
    const stores = await db.from('stores').whereNot('id', store.id).orderBy('name').select('id', 'name')
    return view.render('backoffice/stock/transfer_form', { lines: FORM_LINES, storeOptions: [{ value: '', label: '— Choose a store —' }, ...stores.map((s) => ({ value: s.id, label: s.name }))] })
  }

  async storeTransfer(ctx: HttpContext) {
    const { lines, problems } = await this.#lines(ctx)
    problems.throwIfAny()
    const input = {
      toStoreId: typedNumber(ctx.request.input('to_store_id')),
      note: this.#text(ctx, 'note'),
      lines: lines.map((l) => ({ productId: l.productId, quantity: typedNumber(l.quantity) })),
    }
    return submitOnce(ctx, async () => {
      const transfer = await this.#onLines(lines, () => this.stock.sendTransfer(actorOf(ctx), input))
      ctx.session.flash('notice', `Transfer #${transfer.id} sent to ${transfer.to_store_name}: in transit until they receive it`)
      return `/backoffice/stock/transfers/${transfer.id}`
    })
  }

  async showTransfer({ params, view, store }: HttpContext) {
    const transfer = await this.stock.transfer(store.id, Number(params.id) || 0)
    return view.render('backoffice/stock/transfer', { transfer, canReceive: transfer.status === 'in_transit' && Number(transfer.to_store_id) === store.id })
  }

  async receiveTransfer(ctx: HttpContext) {
    const id = Number(ctx.params.id) || 0
    // Inputs are named received[l<line id>]: a letter keeps the body parser from turning ids into array indexes
    const received = ctx.request.input('received') ?? {}
    const lines = Object.entries(received as Record<string, string>).map(([key, quantity]) => ({ lineId: Number(key.slice(1)), quantity: typedNumber(quantity) }))
    try {
      await this.stock.receiveTransfer(actorOf(ctx), id, lines)
    } catch (error) {
      // items.N.quantity_received -> the line's input, received.<line id>
      const match = error instanceof DomainError && error.field?.match(/^items\.(\d+)\./)
      if (match) error.field = `received.${lines[Number(match[1])]?.lineId}`
      throw error
    }
    ctx.session.flash('notice', `Transfer #${id} received`)
    return ctx.response.redirect(`/backoffice/stock/transfers/${id}`)
  }

  // ---------------------------------------------------------------- stocktakes
  async stocktakes({ view, store }: HttpContext) {
    const [stocktakes, categories] = await Promise.all([this.stocktaking.stocktakes(store.id), this.catalog.categories(store.id)])
    return view.render('backoffice/stock/stocktakes', {
      stocktakes,
      categoryOptions: [{ value: '', label: 'All products' }, ...categories.map((c) => ({ value: c.id, label: c.name }))],
    })
  }

  async storeStocktake(ctx: HttpContext) {
    return submitOnce(ctx, async () => {
      // Absent or empty: all products; anything else must be a category's id (filterId: NaN when not one)
      const id = await this.stocktaking.createStocktake(actorOf(ctx), filterId(ctx.request.input('category_id')) ?? null)
      return `/backoffice/stock/stocktakes/${id}`
    })
  }

  async showStocktake({ params, view, store }: HttpContext) {
    return view.render('backoffice/stock/stocktake', { stocktake: await this.stocktaking.stocktake(store.id, Number(params.id) || 0) })
  }

  /**
   * Saves the sheet; with approve=1 the manager then posts the variances. A sheet with bad counts
   * saves its good lines and is drawn again at once (422) with each bad line's text and error at its
   * field: the flashed input of a redirect has a budget far below a big sheet (flashed_input.ts),
   * so the typed counts came back lost. Likewise a sheet that arrived short keeps what arrived.
   */
  async saveCounts(ctx: HttpContext) {
    const id = Number(ctx.params.id) || 0
    const counted = this.#fieldsOf(ctx, 'counted')
    // When each line was typed, by the page's clock (typed[p<id>]), and when the sheet was sent
    // (sent): their difference is how long before this save it was counted, whatever that clock says
    const typed = this.#fieldsOf(ctx, 'typed')
    const sent = typedNumber(ctx.request.input('sent'))
    // counted[p<product id>], like received[l<line id>] above
    const counts = Object.entries(counted).map(([key, value]) => ({
      productId: Number(key.slice(1)),
      counted: String(value ?? '').trim() === '' ? null : typedNumber(value),
      typedAgo: Number.isFinite(sent) && Number.isFinite(typedNumber(typed[key])) ? sent - typedNumber(typed[key]) : null,
    }))
    let result
    try {
      result = await this.stocktaking.saveCounts(actorOf(ctx), id, counts, { wholeSheet: Boolean(ctx.request.input('whole_sheet')) })
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'sheet_incomplete') throw error
      const message = `${error.message} The counts that arrived are shown again below, not saved: check the sheet and save it again.`
      return this.#sheetAgain(ctx, id, { message, kept: Object.keys(counted), counted, typed, errors: {} })
    }
    if (result.refused.length) {
      const errors: Record<string, string> = {}
      for (const { index, error } of result.refused) errors[`p${counts[index].productId}`] = error.message
      const bad = result.refused.length
      const approve = ctx.request.input('approve') ? ' The stocktake was not approved: approve it once every line is right.' : ''
      const message = `${result.counted.toLocaleString('en-US')} count(s) saved; ${bad.toLocaleString('en-US')} line(s) need fixing (marked below, not saved).${approve}`
      return this.#sheetAgain(ctx, id, { message, kept: Object.keys(errors), counted, typed, errors })
    }
    if (ctx.request.input('approve')) {
      await ctx.bouncer.authorize('manageStock')
      const variances = await this.stocktaking.approveStocktake(actorOf(ctx), id)
      ctx.session.flash('notice', `Stocktake approved: ${variances.length} variance(s) posted`)
    } else {
      ctx.session.flash('notice', 'Counts saved')
    }
    return ctx.response.redirect(`/backoffice/stock/stocktakes/${id}`)
  }

  /** The sheet drawn again for a save it refused in part or whole: the lines not saved keep what was typed */
  async #sheetAgain(ctx: HttpContext, id: number, refusal: { message: string; kept: string[]; counted: Record<string, string>; typed: Record<string, string>; errors: Record<string, string> }) {
    const stocktake = await this.stocktaking.stocktake(ctx.store.id, id)
    // Only the lines not saved: their text and their typing mark (the page's clock, so the next
    // save still knows how long ago each was counted)
    const kept: Record<string, { text: string; typed: string }> = {}
    for (const key of refusal.kept) kept[key] = { text: String(refusal.counted[key] ?? ''), typed: String(refusal.typed[key] ?? '') }
    ctx.response.status(422)
    return ctx.view.render('backoffice/stock/stocktake', { stocktake, refusal: { message: refusal.message, kept, errors: refusal.errors } })
  }

  /** The fields of a form's group (counted[p1]...): an object of texts, anything else none */
  #fieldsOf(ctx: HttpContext, name: string): Record<string, string> {
    const value = ctx.request.input(name)
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {}
    return value as Record<string, string>
  }

  // ---------------------------------------------------------------- a product's ledger
  async history({ params, request, view, store }: HttpContext) {
    const page = pageNumber(request.input('page'))
    const result = await this.stock.movements(store.id, Number(params.id) || 0, page)
    return view.render('backoffice/stock/history', result)
  }

  async threshold(ctx: HttpContext) {
    const id = Number(ctx.params.id) || 0
    await this.stock.setThreshold(ctx.store.id, id, typedNumber(ctx.request.input('low_stock_threshold')))
    ctx.session.flash('notice', 'Low-stock threshold saved')
    return ctx.response.redirect(`/backoffice/products/${id}/stock`)
  }

  // ---------------------------------------------------------------- internals

  /**
   * The filled-in lines of a form, each resolved from its SKU or barcode, and the refusals of those
   * that were not (every one, at its row), renaming a service's line field (items.<position among
   * the lines>.product_id) to the form's (items.<row>.code)
   */
  async #lines(ctx: HttpContext): Promise<{ lines: (FormLine & { productId: number })[]; problems: FieldProblems }> {
    const raw = ctx.request.input('items') ?? []
    // A cell is a text or left out: a list (items[0][code][]=x) was read as its text joined by commas
    const cell = (row: any, index: number, name: string) => {
      const value = row?.[name] ?? ''
      if (typeof value !== 'string') throw new DomainError('Enter this as text', { code: 'invalid_field', field: `items.${index}.${name}` })
      return value.trim()
    }
    const rows: FormLine[] = (Array.isArray(raw) ? raw : Object.values(raw)).map((r: any, index: number) => ({
      index,
      code: cell(r, index, 'code'),
      quantity: cell(r, index, 'quantity'),
      unitCost: cell(r, index, 'unit_cost'),
    }))
    const filled = rows.filter((r) => r.code || r.quantity || r.unitCost)
    const lines: (FormLine & { productId: number })[] = []
    const problems = new FieldProblems((name) => this.#formField(lines, name))
    // Said with the form's other refusals (a receipt's supplier left blank too), not alone
    if (!filled.length) problems.addAt('items.0.code', 'Add at least one product', 'no_lines')
    const refuse = (row: FormLine, message: string, code = 'invalid_field') => problems.addAt(`items.${row.index}.code`, message, code)
    for (const row of filled) {
      if (!row.code) refuse(row, 'Enter a SKU or barcode')
      // Longer than any SKU or barcode; the refusal below repeats the code, and a pasted page of text
      // there made the session cookie too large for the browser, which dropped the message
      else if (row.code.length > 64) refuse(row, 'Use at most 64 characters for the SKU or barcode')
      else {
        const product = await this.catalog.findByCode(ctx.store.id, row.code)
        if (!product) refuse(row, `No product with SKU or barcode "${row.code}"`, 'unknown_product')
        else lines.push({ ...row, productId: product.id })
      }
    }
    return { lines, problems }
  }

  /** A service's field of a line (items.<position among the lines>.<column>) as the form's */
  #formField(lines: FormLine[], name: string) {
    const match = name.match(/^items\.(\d+)\.(\w+)$/)
    if (!match) return name
    const column = match[2] === 'product_id' ? 'code' : match[2]
    return `items.${lines[Number(match[1])]?.index ?? 0}.${column}`
  }

  /** A text field of the form; a list or an object where a text belongs is refused on its field */
  #text(ctx: HttpContext, name: string): string | undefined {
    const value = ctx.request.input(name)
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') throw new DomainError('Enter this as text', { code: 'invalid_field', field: name })
    return value
  }

  /** A line's unit cost; one that is not money is refused at its field (NaN passed on, refused there once) */
  #cost(line: FormLine, currency: string, problems: FieldProblems): number {
    const cost = parseMoney(line.unitCost, currency)
    if (cost === null) problems.addAt(`items.${line.index}.unit_cost`, `Enter the unit cost like ${minorToDecimal(450, currency)}`)
    return cost ?? Number.NaN
  }

  /** The service names lines by their position among the filled ones; the form by its row (FieldErrors are named so already) */
  async #onLines<T>(lines: FormLine[], work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof DomainError && !(error instanceof FieldErrors) && error.field) error.field = this.#formField(lines, error.field)
      throw error
    }
  }
}
