import { definePlugin } from '#plugins/contracts/plugin'
import type { RoundingRule } from '#plugins/contracts/tax_region'
import { computeTaxes, type TaxComponent } from '#core/tax_math'

/*
| US sales tax: shelf prices exclude tax; each line carries the state, county and city taxes
| as separate taxes (the city's may be compound: charged on the price plus the other two).
| Products of tax class "exempt" and exempt customers pay none.
*/
const EXEMPT_CLASSES = new Set(['exempt', 'zero'])

export default definePlugin({
  setup(host, { settings }) {
    const rounding = (settings.rounding as RoundingRule) || 'half_up_per_document'
    const components: TaxComponent[] = [
      { code: 'state', name: String(settings.state_name || 'State tax'), ratePpm: Number(settings.state_rate ?? 0) },
      { code: 'county', name: String(settings.county_name || 'County tax'), ratePpm: Number(settings.county_rate ?? 0) },
      { code: 'city', name: String(settings.city_name || 'City tax'), ratePpm: Number(settings.city_rate ?? 0), compound: !!settings.city_compound },
    ].filter((c) => c.ratePpm > 0)
    const exemptCustomers = new Set(
      String(settings.exempt_customers ?? '')
        .split(',')
        .map((id) => Number(id.trim()))
        .filter((id) => Number.isInteger(id) && id > 0)
    )

    host.taxRegion({
      id: 'us-sales',
      rounding,
      pricesIncludeTax: false,
      calculate(lines, context) {
        const exemptCustomer = !!context.customerId && exemptCustomers.has(context.customerId)
        return {
          lines: computeTaxes(
            lines.map((line) => ({
              key: line.key,
              amount: line.amount,
              components: exemptCustomer || EXEMPT_CLASSES.has(line.taxClass) ? [] : components,
            })),
            { inclusive: false, rounding }
          ),
        }
      },
    })
  },
})
