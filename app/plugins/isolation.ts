import logger from '@adonisjs/core/services/logger'
import { DomainError } from '#exceptions/domain_error'
import type { PluginRegistrar } from '#plugins/contracts/plugin'
import type { TaxCalculator, TaxResult, LineTax, TaxableLine } from '#plugins/contracts/tax_region'
import type { PaymentGateway, GatewayPaymentStatus } from '#plugins/contracts/payment_gateway'
import type { LoyaltyProgram } from '#plugins/contracts/loyalty'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'

/*
| Every call into plugin code goes through here: it gets a time limit and a try/catch, its
| failure is recorded on the plugins page and in the log, and the core gets a clear
| DomainError instead of a hang or a crash. What a plugin answers is checked too: a tax
| that is not a whole number of cents is an error, never a wrong total.
*/

export class PluginFailure extends DomainError {
  constructor(
    readonly pluginId: string,
    message: string,
    code = 'plugin_failed',
    status = 503
  ) {
    super(message, { status, code })
  }
}

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

interface ErrorSink {
  hookTimeoutMs: number
  gatewayTimeoutMs: number
  /** How long an exporter may take to give its next row */
  exportRowTimeoutMs: number
  recordError(id: string, where: string, error: unknown): void
}

/** The registrar a plugin's setup() gets: what it registers is wrapped before the core sees it */
export function isolatingRegistrar(pluginId: string, base: PluginRegistrar, sink: ErrorSink): PluginRegistrar {
  const call = async <T>(where: string, work: () => T | Promise<T>, ms = sink.hookTimeoutMs): Promise<T> => {
    try {
      return await withTimeout(Promise.resolve().then(work), ms, where)
    } catch (error) {
      if (error instanceof DomainError) throw error
      sink.recordError(pluginId, where, error)
      throw error
    }
  }

  return {
    taxRegion(calculator: TaxCalculator) {
      base.taxRegion({
        id: calculator.id,
        rounding: calculator.rounding,
        pricesIncludeTax: calculator.pricesIncludeTax,
        calculate: async (lines, context) => {
          try {
            return await call('tax calculate()', async () => checkTaxResult(lines, await calculator.calculate(lines, context)))
          } catch (error) {
            // The plugin's own refusal (e.g. no rate for a tax class) reaches the cashier as it is
            if (error instanceof DomainError) throw error
            throw new PluginFailure(
              pluginId,
              `Tax cannot be worked out: the tax plugin "${pluginId}" failed (${(error as Error).message}). ` +
                'The sale cannot be completed until an admin fixes or disables it.',
              'tax_unavailable',
              409
            )
          }
        },
      })
    },

    paymentGateway(gateway: PaymentGateway) {
      const ms = sink.gatewayTimeoutMs
      const guard = async (where: string, work: () => Promise<GatewayPaymentStatus>) => {
        const status = await call(`gateway ${where}`, work, ms)
        if (!status || !['pending', 'approved', 'declined', 'cancelled', 'timed_out'].includes(status.state)) {
          const error = new Error(`gateway ${where} answered an unknown state`)
          sink.recordError(pluginId, where, error)
          throw error
        }
        return status
      }
      base.paymentGateway({
        id: gateway.id,
        methods: () => {
          try {
            return gateway.methods()
          } catch (error) {
            sink.recordError(pluginId, 'gateway methods()', error)
            return []
          }
        },
        start: (request) => guard('start()', () => gateway.start(request)),
        status: (key) => guard('status()', () => gateway.status(key)),
        cancel: (key) => guard('cancel()', () => gateway.cancel(key)),
        refund: (request) => guard('refund()', () => gateway.refund(request)),
      })
    },

    loyaltyProgram(program: LoyaltyProgram) {
      // The plugin's own refusal (too few points) reaches the cashier as it is; its crash or hang
      // was a 500 (a points payment, a refund in points, a void): a 503 saying what to do instead
      const guarded = async <T>(where: string, work: () => Promise<T>): Promise<T> => {
        try {
          return await call(`loyalty ${where}`, work)
        } catch (error) {
          if (error instanceof DomainError) throw error
          throw new PluginFailure(
            pluginId,
            `The loyalty program failed (${messageOf(error)}): points cannot be used or given back until an admin fixes or disables the plugin "${pluginId}". Take another tender.`,
            'loyalty_unavailable'
          )
        }
      }
      base.loyaltyProgram({
        id: program.id,
        balance: (context) => guarded('balance()', () => program.balance(context)),
        earn: (context) => guarded('earn()', () => program.earn(context)),
        redeem: (context) => guarded('redeem()', () => program.redeem(context)),
        reverse: (context) => guarded('reverse()', () => program.reverse(context)),
        giveBack: (context) => guarded('giveBack()', () => program.giveBack(context)),
        restore: (context) => guarded('restore()', () => program.restore(context)),
        saleVoided: (context) => guarded('saleVoided()', () => program.saleVoided(context)),
      })
    },

    accountingExporter(exporter: AccountingExporter) {
      // An export was the one call into plugin code without a guard: a columns() that threw was a
      // 500, a rows() that hung held the download open for ever, and neither showed on the page
      const failed = (where: string, error: unknown) => {
        if (!(error instanceof DomainError)) sink.recordError(pluginId, where, error)
        return new PluginFailure(pluginId, `The export "${exporter.label}" failed: ${messageOf(error)}. Nothing complete was exported; an admin can see the error on the Plugins page.`, 'export_failed')
      }
      base.accountingExporter({
        id: exporter.id,
        label: exporter.label,
        fileName: exporter.fileName,
        forSpreadsheets: exporter.forSpreadsheets,
        columns: (settings) => {
          try {
            return exporter.columns(settings)
          } catch (error) {
            throw failed('export columns()', error)
          }
        },
        rows: (period, source, settings) => guardedRows(() => exporter.rows(period, source, settings), sink.exportRowTimeoutMs, failed),
      })
    },

    on(event, listener) {
      base.on(event, async (data: any) => {
        try {
          await withTimeout(Promise.resolve().then(() => listener(data)), sink.hookTimeoutMs, `listener of ${event}`)
        } catch (error) {
          sink.recordError(pluginId, `listener of ${event}`, error)
          logger.debug('isolated a failing listener of %s', event)
        }
      })
    },
  }
}

/**
 * The exporter's rows, each with a time limit; a throw or a hang ends the download with an error
 * (the CSV is cut short, never passed off as whole) and is recorded for the Plugins page
 */
async function* guardedRows<T>(open: () => Iterable<T> | AsyncIterable<T>, ms: number, failed: (where: string, error: unknown) => Error): AsyncGenerator<T> {
  let iterator: Iterator<T> | AsyncIterator<T>
  try {
    const rows: any = open()
    iterator = rows[Symbol.asyncIterator]?.() ?? rows[Symbol.iterator]()
  } catch (error) {
    throw failed('export rows()', error)
  }
  let finished = false
  try {
    while (true) {
      let step: IteratorResult<T>
      try {
        step = await withTimeout(Promise.resolve(iterator.next()), ms, 'export rows()')
      } catch (error) {
        // A throw ended the exporter's own iterator; a hang did not: it is told to close what it
        // holds (a database stream), not waited for
        if (error instanceof Error && /did not answer within/.test(error.message)) Promise.resolve(iterator.return?.()).catch(() => {})
        finished = true
        throw failed('export rows()', error)
      }
      if (step.done) {
        finished = true
        return
      }
      yield step.value
    }
  } finally {
    // A download stopped early (or a failed one) lets the exporter close what it holds; a hung one is not awaited
    if (!finished) Promise.resolve(iterator.return?.()).catch(() => {})
  }
}

/** A tax region must answer every line with whole, non-negative amounts and sane rates */
function checkTaxResult(lines: TaxableLine[], result: TaxResult): TaxResult {
  if (!result || !(result.lines instanceof Map)) throw new Error('calculate() must return { lines: Map }')
  for (const line of lines) {
    const taxes: LineTax[] | undefined = result.lines.get(line.key)
    if (!Array.isArray(taxes)) throw new Error(`no taxes for line ${line.key}`)
    for (const tax of taxes) {
      if (!Number.isSafeInteger(tax.amount) || tax.amount < 0) throw new Error(`tax ${tax.code} of line ${line.key} is not a whole number of cents`)
      if (!Number.isSafeInteger(tax.ratePpm) || tax.ratePpm < 0) throw new Error(`tax ${tax.code} has an invalid rate`)
      if (typeof tax.code !== 'string' || typeof tax.name !== 'string') throw new Error('every tax needs a code and a name')
    }
  }
  return result
}

/** The message of anything thrown, for the plugin list, the log and the audit */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
