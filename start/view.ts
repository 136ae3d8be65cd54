import edge from 'edge.js'
import { currencyDigits, formatMoney, minorToDecimal } from '#services/money'
import { paymentMethodLabel } from '#services/payment_methods'
import { loyaltyBalanceFor } from '#services/loyalty_service'

/** Helpers every template may use; money is always formatted here, never in a template */
edge.global('money', (minor: number, currency: string) => formatMoney(Number(minor ?? 0), currency))
edge.global('decimal', (minor: number | null, currency: string) => (minor === null || minor === undefined ? '' : minorToDecimal(minor, currency)))
edge.global('methodLabel', paymentMethodLabel)
edge.global('currencyDigits', currencyDigits)
edge.global('percent', (basisPoints: number) => `${(basisPoints / 100).toFixed(basisPoints % 100 ? 2 : 0)}%`)
edge.global('ratePercent', (ppm: number) => `${Number((ppm / 10000).toFixed(4))}%`)
edge.global('localTime', (date: any, zone: string, format = 'yyyy-LL-dd HH:mm') =>
  date ? date.setZone(zone).toFormat(format) : ''
)

/** Tax totals by rate for a receipt: [{ratePpm, amount}] from the sale's lines */
edge.global('taxLines', (items: { taxRatePpm: number; taxTotal: number; taxes?: { code: string; name: string; ratePpm: number; amount: number }[] | null }[]) => {
  // By tax and rate from each line's stored taxes (several per line for US sales tax); older lines by their one rate
  const byRate = new Map<string, { name: string; ratePpm: number; amount: number }>()
  for (const item of items) {
    const taxes = item.taxes ?? (item.taxTotal ? [{ code: '', name: 'Tax', ratePpm: item.taxRatePpm, amount: item.taxTotal }] : [])
    for (const tax of taxes) {
      if (!tax.amount) continue
      const id = `${tax.name}:${tax.ratePpm}`
      const entry = byRate.get(id) ?? { name: tax.name, ratePpm: tax.ratePpm, amount: 0 }
      entry.amount += tax.amount
      byRate.set(id, entry)
    }
  }
  return [...byRate.values()].sort((a, b) => b.ratePpm - a.ratePpm)
})

/** The customer's loyalty points on the receipt (null without a program or a customer) */
edge.global('loyaltyBalance', loyaltyBalanceFor)
