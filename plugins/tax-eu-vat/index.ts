import { definePlugin } from '#plugins/contracts/plugin'
import type { RoundingRule } from '#plugins/contracts/tax_region'
import { computeTaxes } from '#core/tax_math'
import { DomainError } from '#exceptions/domain_error'
import { COUNTRIES } from './rates.js'

/*
| EU VAT: shelf prices include VAT, so the VAT of a line is worked out of its amount at the
| rate of its tax class in the chosen country. A tax class with no rate in that country stops
| the sale with a message rather than charging a guessed rate.
*/
export default definePlugin({
  setup(host, { settings }) {
    const country = COUNTRIES[String(settings.country)]
    if (!country) throw new Error(`unknown country "${settings.country}"`)
    const rounding = (settings.rounding as RoundingRule) || 'half_up_per_line'

    host.taxRegion({
      id: `eu-vat-${settings.country}`,
      rounding,
      pricesIncludeTax: true,
      calculate(lines) {
        return {
          lines: computeTaxes(
            lines.map((line) => {
              const ratePpm = line.taxClass === 'zero' || line.taxClass === 'exempt' ? 0 : country.rates[line.taxClass]
              if (ratePpm === undefined) {
                throw new DomainError(`${country.name} has no VAT rate for the tax class "${line.taxClass}": change the product's tax class`, {
                  status: 409,
                  code: 'unknown_tax_class',
                })
              }
              return { key: line.key, amount: line.amount, components: [{ code: `VAT-${line.taxClass}`, name: 'VAT', ratePpm }] }
            }),
            { inclusive: true, rounding }
          ),
        }
      },
    })
  },
})
