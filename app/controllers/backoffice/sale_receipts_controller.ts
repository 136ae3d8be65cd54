import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import ReceiptPdfService from '#sales/receipt_pdf_service'
import { queueReprint, reprintMessage } from '#hardware/jobs'
import { download } from '#controllers/till/hardware_controller'

/** A sale's receipt from its back-office page: reprint on the register's printer, PDFs */
@inject()
export default class SaleReceiptsController {
  constructor(private pdfs: ReceiptPdfService) {}

  async reprint({ params, response, session, store, auth }: HttpContext) {
    const reprint = await queueReprint(store, Number(params.id) || 0, auth.user!.id)
    session.flash('notice', reprint.waiting ? reprintMessage(reprint) : `Receipt sent to the printer (job #${reprint.job.id})`)
    return response.redirect().back()
  }

  async receiptPdf(ctx: HttpContext) {
    const { pdf, receipt } = await this.pdfs.receipt(ctx.store, Number(ctx.params.id) || 0)
    return download(ctx, pdf, `receipt-${receipt.code}.pdf`)
  }

  async invoicePdf(ctx: HttpContext) {
    const { pdf, receipt } = await this.pdfs.invoice(ctx.store, Number(ctx.params.id) || 0)
    return download(ctx, pdf, `invoice-${receipt.code}.pdf`)
  }
}
