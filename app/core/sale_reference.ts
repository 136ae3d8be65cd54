/** A receipt's scannable sale reference: S-<register id>-<sale number> */
export const SALE_REF = /^S-(\d{1,9})-(\d{1,9})$/i

export function saleReference(sale: { registerId: number; number: number | null }) {
  return `S-${sale.registerId}-${sale.number}`
}
