import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { PluginRegistrar } from '#plugins/contracts/plugin'
import type { TaxCalculator } from '#plugins/contracts/tax_region'
import type { PaymentGateway } from '#plugins/contracts/payment_gateway'
import type { LoyaltyProgram } from '#plugins/contracts/loyalty'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'

/*
| What the enabled plugins have registered, by plugin. The rest of the core asks the registry
| (the tax calculator in force, the gateways, the exporters) and never imports a plugin. The
| host (discovery, enable, disable) fills it through registrarFor() and empties it on disable.
*/

interface Registrations {
  taxRegions: TaxCalculator[]
  gateways: PaymentGateway[]
  loyalty: LoyaltyProgram[]
  exporters: AccountingExporter[]
  listeners: { event: string; listener: (data: any) => Promise<void> }[]
}

class PluginRegistry {
  #byPlugin = new Map<string, Registrations>()

  registrarFor(pluginId: string): PluginRegistrar {
    const entry: Registrations = { taxRegions: [], gateways: [], loyalty: [], exporters: [], listeners: [] }
    this.unregister(pluginId)
    this.#byPlugin.set(pluginId, entry)
    /*
    | A registration after this registrar's plugin was unregistered (its setup() outlived its
    | time limit and the host marked it failed, or it registers from a timer after Disable) is
    | ignored: a listener added then was never removed, so a failed or disabled plugin still
    | heard every sale
    */
    const current = (what: string) => {
      if (this.#byPlugin.get(pluginId) === entry) return true
      logger.warn({ plugin: pluginId }, 'Plugin %s registered a %s after it was stopped: ignored', pluginId, what)
      return false
    }
    return {
      taxRegion: (calculator) => current('tax region') && entry.taxRegions.push(calculator),
      paymentGateway: (gateway) => current('payment gateway') && entry.gateways.push(gateway),
      loyaltyProgram: (program) => current('loyalty program') && entry.loyalty.push(program),
      accountingExporter: (exporter) => current('accounting exporter') && entry.exporters.push(exporter),
      on: (event, listener) => {
        if (!current(`listener of ${event}`)) return
        // A plugin's listener that throws is logged and never reaches the core
        const isolated = async (data: any) => {
          try {
            await listener(data)
          } catch (error) {
            logger.error({ err: error, plugin: pluginId, event }, 'Plugin %s failed in %s', pluginId, event)
          }
        }
        entry.listeners.push({ event, listener: isolated })
        emitter.on(event, isolated)
      },
    }
  }

  unregister(pluginId: string) {
    const entry = this.#byPlugin.get(pluginId)
    if (!entry) return
    for (const { event, listener } of entry.listeners) emitter.off(event as any, listener)
    this.#byPlugin.delete(pluginId)
  }

  #all<K extends keyof Registrations>(kind: K): { pluginId: string; item: Registrations[K][number] }[] {
    return [...this.#byPlugin].flatMap(([pluginId, entry]) => entry[kind].map((item) => ({ pluginId, item })))
  }

  /** The tax calculator of the enabled tax-region plugin, if any */
  taxRegion(): TaxCalculator | null {
    return (this.#all('taxRegions')[0]?.item as TaxCalculator | undefined) ?? null
  }

  paymentGateways(): PaymentGateway[] {
    return this.#all('gateways').map((r) => r.item as PaymentGateway)
  }

  loyaltyProgram(): LoyaltyProgram | null {
    return (this.#all('loyalty')[0]?.item as LoyaltyProgram | undefined) ?? null
  }

  accountingExporters(): { pluginId: string; exporter: AccountingExporter }[] {
    return this.#all('exporters').map((r) => ({ pluginId: r.pluginId, exporter: r.item as AccountingExporter }))
  }
}

export const pluginRegistry = new PluginRegistry()
