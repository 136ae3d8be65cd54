import edge from 'edge.js'
import { currencyDigits, formatMoney, minorToDecimal } from '#services/money'
import { paymentMethodLabel } from '#services/payment_methods'
import { cacheEdgeTemplates } from '#services/edge_template_cache'

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
edge.global('taxLines', (items: { taxRatePpm: number; taxTotal: number }[]) => {
  const byRate = new Map<number, number>()
  for (const item of items) {
    if (item.taxTotal) byRate.set(item.taxRatePpm, (byRate.get(item.taxRatePpm) ?? 0) + item.taxTotal)
  }
  return [...byRate.entries()].sort((a, b) => b[0] - a[0]).map(([ratePpm, amount]) => ({ ratePpm, amount }))
})

// Compiled includes and the components list are kept in production (see the function)
cacheEdgeTemplates(edge)
