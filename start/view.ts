import { DateTime } from 'luxon'
import edge from 'edge.js'
import { currencyDigits, formatMoney, minorToDecimal } from '#core/money'
import { paymentMethodLabel } from '#sales/payment_methods'
import { pointsLine, taxesByRate } from '#sales/receipt_service'
import { loyaltyBalanceFor } from '#sales/loyalty_service'
import { cacheEdgeTemplates } from '#platform/edge_template_cache'
import { salesTaxIncluded } from '#shifts/shift_report_service'
import { submissionKey } from '#platform/form_submissions'
import { refusalAlerts } from '#platform/form_refusals'
import { wallClock } from '#platform/wall_clock'
import { assetUrl } from '#platform/static_assets'

/** Helpers every template may use; money is always formatted here, never in a template */
edge.global('money', (minor: number, currency: string) => formatMoney(Number(minor ?? 0), currency))
edge.global('decimal', (minor: number | null, currency: string) => (minor === null || minor === undefined ? '' : minorToDecimal(minor, currency)))
edge.global('methodLabel', paymentMethodLabel)
// A report's category (app/reports/report_service.ts): null is the products without one, marked
// so, as no category's name can be (a category may well be named "No category")
edge.global('categoryName', (name: string | null) => (name === null ? edge.globals.html.safe('<em class="hint">No category</em>') : name))
edge.global('currencyDigits', currencyDigits)
edge.global('percent', (basisPoints: number) => `${(basisPoints / 100).toFixed(basisPoints % 100 ? 2 : 0)}%`)
edge.global('ratePercent', (ppm: number) => `${Number((ppm / 10000).toFixed(4))}%`)
// With its UTC offset in the hour the clocks go back, which reads twice (wall_clock.ts)
edge.global('localTime', (date: any, zone: string, format = 'yyyy-LL-dd HH:mm') => (date ? wallClock(date, zone, format) : ''))
/** "at 19:21" today in the zone, "on 2026-12-05 at 19:21" another day (a till opened in the morning names last night's sale) */
edge.global('localWhen', (date: any, zone: string) => {
  if (!date) return ''
  const local = date.setZone(zone)
  return local.hasSame(DateTime.now().setZone(zone), 'day') ? `at ${local.toFormat('HH:mm')}` : `on ${local.toFormat('yyyy-LL-dd')} at ${local.toFormat('HH:mm')}`
})

/** "3 minutes ago", "2 days ago": how long since a till was last heard of (its register's lease) */
edge.global('timeAgo', (date: DateTime | null) => {
  if (!date) return 'a while ago'
  if (DateTime.now().diff(date).as('seconds') < 60) return 'less than a minute ago'
  return date.setLocale('en-US').toRelative({ unit: ['days', 'hours', 'minutes'] }) ?? 'a while ago'
})

/** Tax totals by tax and rate for a receipt, from the sale's lines */
edge.global('taxLines', taxesByRate)
/** A browser file's URL with its version: `/js/app.js?v=…`, cached for a year (static_assets.ts) */
edge.global('asset', assetUrl)
edge.global('salesTaxIncluded', salesTaxIncluded)

/** The customer's loyalty points on the receipt (null without a program or a customer) */
edge.global('loyaltyBalance', loyaltyBalanceFor)
edge.global('receiptPoints', pointsLine)

/** A form's one-time key: posted twice, it writes once (platform/form_submissions.ts) */
edge.global('submissionField', () => edge.globals.html.safe(`<input type="hidden" name="_submission" value="${submissionKey()}">`))

/** A refused form's alert, given the page drawn below it (components/refusals.edge) */
edge.global('refusalAlerts', (page: string, errorsBag: Record<string, unknown>, inputErrors: Record<string, unknown>) =>
  refusalAlerts(errorsBag, inputErrors, (field) => page.includes(`data-error-for="${edge.globals.html.escape(field)}"`))
)

// Compiled includes and the components list are kept in production (see the function)
cacheEdgeTemplates(edge)
