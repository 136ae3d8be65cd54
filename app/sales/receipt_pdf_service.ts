import edge from 'edge.js'
import type Store from '#models/store'
import ReceiptService, { type ReceiptView } from '#sales/receipt_service'
import { renderPdf } from '#platform/pdf_service'

/*
| The receipt as a PDF (80 mm wide, for download or email) and the A4 invoice with the
| customer's details, both printed from the same view-model as the screen and the paper.
*/
export default class ReceiptPdfService {
  constructor(private receipts = new ReceiptService()) {}

  async receipt(store: Store, saleId: number): Promise<{ pdf: Buffer; receipt: ReceiptView }> {
    const receipt = await this.receipts.forSale(store, saleId)
    const html = await edge.render('receipts/receipt_pdf', { receipt })
    return { pdf: await renderPdf(html, { width: '80mm', margin: '4mm' }), receipt }
  }

  async invoice(store: Store, saleId: number): Promise<{ pdf: Buffer; receipt: ReceiptView }> {
    const receipt = await this.receipts.forSale(store, saleId)
    const html = await edge.render('receipts/invoice_pdf', { receipt })
    return { pdf: await renderPdf(html, { format: 'A4', margin: '15mm' }), receipt }
  }
}
