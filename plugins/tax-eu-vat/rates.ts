/*
| VAT rates in parts per million by country and tax class (standard, reduced, reduced_2,
| super_reduced; zero and exempt are 0 everywhere). Rates as of 2025; check them against the
| tax authority of the country before going live.
*/
export const COUNTRIES: Record<string, { name: string; rates: Record<string, number> }> = {
  AT: { name: 'Austria', rates: { standard: 200_000, reduced: 100_000, reduced_2: 130_000 } },
  BE: { name: 'Belgium', rates: { standard: 210_000, reduced: 60_000, reduced_2: 120_000 } },
  DE: { name: 'Germany', rates: { standard: 190_000, reduced: 70_000 } },
  ES: { name: 'Spain', rates: { standard: 210_000, reduced: 100_000, super_reduced: 40_000 } },
  FR: { name: 'France', rates: { standard: 200_000, reduced: 55_000, reduced_2: 100_000, super_reduced: 21_000 } },
  IE: { name: 'Ireland', rates: { standard: 230_000, reduced: 135_000, reduced_2: 90_000, super_reduced: 48_000 } },
  IT: { name: 'Italy', rates: { standard: 220_000, reduced: 100_000, reduced_2: 50_000, super_reduced: 40_000 } },
  LU: { name: 'Luxembourg', rates: { standard: 170_000, reduced: 80_000, reduced_2: 140_000, super_reduced: 30_000 } },
  NL: { name: 'Netherlands', rates: { standard: 210_000, reduced: 90_000 } },
  PT: { name: 'Portugal', rates: { standard: 230_000, reduced: 60_000, reduced_2: 130_000 } },
}
