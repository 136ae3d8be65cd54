import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import TillScreenService from '#sales/till_screen_service'
import ReceiptPdfService from '#sales/receipt_pdf_service'
import { recordAudit } from '#platform/audit_service'
import { DomainError } from '#exceptions/domain_error'
import Sale from '#models/sale'
import { canPrint, hardwareState } from '#hardware/devices'
import { queueDrawerOpen, queueReprint, reprintMessage } from '#hardware/jobs'

/** The till's printer state, the no-sale drawer, reprints and receipt downloads */
@inject()
export default class TillHardwareController {
  constructor(
    private screen: TillScreenService,
    private pdfs: ReceiptPdfService
  ) {}

  /** Polled by the till every few seconds; never in the way of a sale */
  async status(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    const hardware = register ? await hardwareState(register.id) : null
    // 286 tells htmx to stop polling: a till with no devices asks once per page load
    if (!hardware?.configured) return ctx.response.status(286).send('')
    return ctx.view.render('till/_hardware', { hardware })
  }

  /** Reprint and download buttons next to a receipt (loaded once with it) */
  async receiptActions(ctx: HttpContext) {
    const saleId = Number(ctx.params.id) || 0
    const sale = await Sale.query().where({ id: saleId, store_id: ctx.store.id }).first()
    if (!sale) return ''
    const register = await this.screen.register(ctx)
    const canPrintHere = register ? await canPrint(register.id) : false
    return ctx.view.render('till/_receipt_actions', { saleId: sale.id, canPrint: canPrintHere, hasCustomer: !!sale.customerId })
  }

  async openDrawer(ctx: HttpContext) {
    const register = await this.requireRegister(ctx)
    const job = await queueDrawerOpen(ctx.store, register.id, ctx.auth.user!.id)
    await recordAudit({ action: 'drawer_opened_no_sale', storeId: ctx.store.id, userId: ctx.auth.user!.id, subjectType: 'register', subjectId: register.id, data: { jobId: job.id }, ip: ctx.request.ip() })
    return ctx.view.render('components/alert', { message: 'Drawer opening (no sale, recorded).', tone: 'success' })
  }

  async reprint(ctx: HttpContext) {
    const register = await this.requireRegister(ctx)
    const reprint = await queueReprint(ctx.store, Number(ctx.params.id) || 0, ctx.auth.user!.id, register.id)
    return ctx.view.render('components/alert', { message: reprintMessage(reprint), tone: reprint.waiting ? 'warning' : 'success' })
  }

  async receiptPdf(ctx: HttpContext) {
    const { pdf, receipt } = await this.pdfs.receipt(ctx.store, Number(ctx.params.id) || 0)
    return download(ctx, pdf, `receipt-${receipt.code}.pdf`)
  }

  async invoicePdf(ctx: HttpContext) {
    const { pdf, receipt } = await this.pdfs.invoice(ctx.store, Number(ctx.params.id) || 0)
    return download(ctx, pdf, `invoice-${receipt.code}.pdf`)
  }

  private async requireRegister(ctx: HttpContext) {
    const register = await this.screen.register(ctx)
    if (!register) throw new DomainError('Choose this till’s register first', { code: 'no_register', status: 409 })
    return register
  }
}

export function download({ response }: HttpContext, pdf: Buffer, filename: string) {
  response.header('content-type', 'application/pdf')
  response.header('content-disposition', `attachment; filename="${filename}"`)
  return response.send(pdf)
}
