import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { flatRateTaxes } from '#core/flat_rate'
import { pluginRegistry } from '#plugins/registry'
import type { TaxableLine, TaxCalculator, TaxContext, TaxResult } from '#plugins/contracts/tax_region'

type Rate = { name: string; ratePpm: number }

const CACHE_MS = 30_000

/**
 * The built-in calculator: one rate per tax class per store (the tax_rates table), rounded
 * half-up per line. An unknown class is taxed at 0 so a sale is never blocked by a typo.
 */
export class FlatRateTax implements TaxCalculator {
  readonly id = 'flat-rate'
  readonly rounding = 'half_up_per_line' as const
  #cache = new Map<number, { at: number; rates: Map<string, Rate> }>()

  async ratesFor(storeId: number, client: QueryClientContract = db.connection()): Promise<Map<string, Rate>> {
    const cached = this.#cache.get(storeId)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.rates
    const rows = await client.from('tax_rates').where('store_id', storeId).select('tax_class', 'name', 'rate_ppm')
    const rates = new Map<string, Rate>(rows.map((r) => [r.tax_class, { name: r.name, ratePpm: Number(r.rate_ppm) }]))
    this.#cache.set(storeId, { at: Date.now(), rates })
    return rates
  }

  forget(storeId: number) {
    this.#cache.delete(storeId)
  }

  async calculate(lines: TaxableLine[], context: TaxContext): Promise<TaxResult> {
    const rates = await this.ratesFor(context.storeId, context.client)
    return { lines: flatRateTaxes(lines, (line) => rates.get(line.taxClass), context.pricesIncludeTax) }
  }
}

export const flatRateTax = new FlatRateTax()

/**
 * The calculator in force: the enabled tax-region plugin's (wrapped by the host, so a failure
 * refuses the sale instead of falling back to another rate), else the built-in flat rate.
 */
export function taxCalculatorFor(_storeId: number): TaxCalculator {
  return pluginRegistry.taxRegion() ?? flatRateTax
}
