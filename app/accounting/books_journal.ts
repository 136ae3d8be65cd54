import type { BookDay } from '#plugins/contracts/accounting_export'
import type { PluginSettings } from '#plugins/contracts/plugin'

/*
| The double-entry rules of a store day, shared by the journal exporters (generic, QuickBooks,
| Xero) so the three files always agree. A day's entry balances:
|   debit  each tender's account         what was received, by method
|   debit  discounts                     discounts given
|   credit sales                         net sales + discounts (gross before discounts)
|   credit tax payable, per rate         tax collected
|   credit rounding (debit if negative)  cash rounding taken
| and for refunds:
|   debit  refunds (net), tax payable, rounding; credit each tender's account paid back.
*/

export type JournalAccountKey = 'sales' | 'discounts' | 'tax' | 'cash' | 'card' | 'other' | 'refunds' | 'rounding'

export interface JournalLine {
  /** The account as the accounting package knows it (a code or a name, from the settings) */
  account: string
  kind: JournalAccountKey
  /** Minor units; one of debit and credit is 0 */
  debit: number
  credit: number
  memo: string
  /** The tax rate of a tax line, in ppm */
  ratePpm?: number
}

interface Accounts {
  account(kind: JournalAccountKey): string
  taxAccount(code: string): string
  tenderAccount(method: string): { kind: JournalAccountKey; account: string }
}

export function accountsFrom(settings: PluginSettings): Accounts {
  const text = (key: string) => String(settings[key] ?? '').trim()
  const perTax = new Map<string, string>()
  for (const pair of text('tax_accounts').split(',')) {
    const [code, account] = pair.split('=').map((s) => s.trim())
    if (code && account) perTax.set(code, account)
  }
  const account = (kind: JournalAccountKey) => text(`account_${kind}`)
  return {
    account,
    taxAccount: (code) => perTax.get(code) ?? account('tax'),
    tenderAccount: (method) => {
      const kind: JournalAccountKey = method === 'cash' ? 'cash' : method.includes('card') ? 'card' : 'other'
      return { kind, account: account(kind) }
    },
  }
}

/** 80000 ppm -> "8%", 88750 -> "8.875%" (integer arithmetic) */
function percent(ppm: number): string {
  const fraction = String(ppm % 10_000).padStart(4, '0').replace(/0+$/, '')
  return `${Math.floor(ppm / 10_000)}${fraction ? `.${fraction}` : ''}%`
}

/** The balanced lines of one store day, in a stable order; none for a day without books */
export function journalLines(day: BookDay, accounts: Accounts, tenderLabel: (method: string) => string): JournalLine[] {
  const lines: JournalLine[] = []
  const debit = (kind: JournalAccountKey, account: string, amount: number, memo: string, ratePpm?: number) => {
    if (amount > 0) lines.push({ account, kind, debit: amount, credit: 0, memo, ratePpm })
    else if (amount < 0) lines.push({ account, kind, debit: 0, credit: -amount, memo, ratePpm })
  }
  const credit = (kind: JournalAccountKey, account: string, amount: number, memo: string, ratePpm?: number) =>
    debit(kind, account, -amount, memo, ratePpm)

  for (const payment of day.payments) {
    const tender = accounts.tenderAccount(payment.method)
    debit(tender.kind, tender.account, payment.amount, `Received: ${tenderLabel(payment.method)}`)
  }
  debit('discounts', accounts.account('discounts'), day.discounts, 'Discounts given')
  credit('sales', accounts.account('sales'), day.sales + day.discounts, `Sales (${day.saleCount})`)
  for (const tax of day.taxes) {
    credit('tax', accounts.taxAccount(tax.code), tax.amount, `${tax.name} ${percent(tax.ratePpm)}`, tax.ratePpm)
  }
  credit('rounding', accounts.account('rounding'), day.rounding, 'Cash rounding')

  debit('refunds', accounts.account('refunds'), day.refundedSales, 'Refunds')
  // Refunded tax goes back to the account of the rate it was collected on (it all went to the
  // general tax account, leaving each rate's tax owed overstated)
  for (const tax of day.refundedTaxes) {
    debit('tax', accounts.taxAccount(tax.code), tax.amount, `Tax refunded: ${tax.name} ${percent(tax.ratePpm)}`, tax.ratePpm)
  }
  debit('tax', accounts.account('tax'), day.refundedTax - day.refundedTaxes.reduce((sum, tax) => sum + tax.amount, 0), 'Tax refunded')
  debit('rounding', accounts.account('rounding'), day.refundRounding, 'Cash rounding on refunds')
  for (const refund of day.refunds) {
    const tender = accounts.tenderAccount(refund.method)
    credit(tender.kind, tender.account, refund.amount, `Refunded: ${tenderLabel(refund.method)}`)
  }

  const debits = lines.reduce((sum, l) => sum + l.debit, 0)
  const credits = lines.reduce((sum, l) => sum + l.credit, 0)
  if (debits !== credits) {
    // The books always balance; a difference means a sale's stored amounts disagree
    throw new Error(`The books of ${day.date} do not balance: debits ${debits}, credits ${credits}`)
  }
  return lines
}

/** A tender's label for memos: 'card_external' -> 'Card external' */
export function tenderLabel(method: string): string {
  const text = method.replace(/_/g, ' ')
  return text[0].toUpperCase() + text.slice(1)
}
