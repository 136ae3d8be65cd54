/*
| The plugin contract. A plugin is a folder plugins/<id>/ holding plugin.json (the manifest
| below) and an entry module whose default export is made with definePlugin(). The host
| (app/plugins/) reads the manifest, checks it, and on enable calls setup() with a registrar:
| the plugin extends the core only through what it registers there.
*/
import type { PluginSettings } from '#plugins/contracts/plugin_settings'
import type { TaxCalculator } from '#plugins/contracts/tax_region'
import type { PaymentGateway } from '#plugins/contracts/payment_gateway'
import type { LoyaltyProgram } from '#plugins/contracts/loyalty'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import type { EventsList } from '@adonisjs/core/types'

export type ExtensionPoint = 'payment-gateway' | 'tax-region' | 'loyalty' | 'accounting-export' | 'events'

export interface SettingField {
  key: string
  label: string
  /** rate: a tax rate typed as a percent with up to 4 decimals, stored in parts per million */
  type: 'string' | 'secret' | 'number' | 'boolean' | 'select' | 'money' | 'percent' | 'rate'
  required?: boolean
  default?: string | number | boolean
  /** For select */
  options?: { value: string; label: string }[]
  /** For number, money (minor units), percent (basis points) and rate (ppm) */
  min?: number
  max?: number
  /** For string and secret */
  maxLength?: number
  pattern?: string
  help?: string
}

export interface PluginManifest {
  /** The folder's name: lower-case letters, digits and dashes */
  id: string
  name: string
  /** semver */
  version: string
  description: string
  author: string
  /** The core versions it supports, a semver range checked against package.json's version */
  core: string
  provides: ExtensionPoint[]
  /** The entry module, relative to the folder (index.ts by default) */
  entry?: string
  settings?: SettingField[]
  /** A folder of Lucid migrations of its own, run on enable and tracked per plugin */
  migrations?: string
}

export type { PluginSettings } from '#plugins/contracts/plugin_settings'

export interface PluginContext {
  id: string
  /** Validated settings, secrets decrypted */
  settings: PluginSettings
  log: { info(message: string, data?: object): void; error(message: string, data?: object): void }
}

type Listener<Name extends keyof EventsList> = (data: EventsList[Name]) => void | Promise<void>

export interface PluginRegistrar {
  taxRegion(calculator: TaxCalculator): void
  paymentGateway(gateway: PaymentGateway): void
  loyaltyProgram(program: LoyaltyProgram): void
  accountingExporter(exporter: AccountingExporter): void
  /** Domain events (sale:completed, sale:refunded, stock:changed, shift:closed); a throwing listener is isolated */
  on<Name extends 'sale:completed' | 'sale:refunded' | 'stock:changed' | 'shift:closed'>(event: Name, listener: Listener<Name>): void
}

export interface PluginDefinition {
  setup(host: PluginRegistrar, context: PluginContext): void | Promise<void>
  /** Called on disable and shutdown: close sockets, stop timers */
  teardown?(): void | Promise<void>
}

export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition
}
