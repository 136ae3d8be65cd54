import { readdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { pluginRegistry } from '#plugins/registry'
import type { AccountingExporter } from '#plugins/contracts/accounting_export'
import type { PluginDefinition, PluginManifest, PluginSettings } from '#plugins/contracts/plugin'

/*
| INTERIM SEAM, until the plugin host (discovery, enable, settings storage) is merged: loads a
| plugin folder, applies its manifest's default settings and calls its setup() with the
| registry's registrar. The exports page and the tests reach plugins only through this file,
| so switching to the host is done here: exportersWithSettings() becomes "the enabled
| exporters and their stored settings".
*/

const settingsByPlugin = new Map<string, PluginSettings>()
const teardowns = new Map<string, PluginDefinition['teardown']>()

/** The shipped exporters, enabled with their default settings until the host keeps the enabled set */
const SHIPPED_EXPORTERS = ['export-journal', 'export-quickbooks', 'export-xero', 'export-sales-lines']
let shippedLoaded: Promise<void> | null = null

export async function readManifest(pluginId: string): Promise<PluginManifest> {
  return JSON.parse(await readFile(app.makePath('plugins', pluginId, 'plugin.json'), 'utf8'))
}

/** Loads (or reloads) a plugin with its manifest defaults overridden by `settings` */
export async function loadPlugin(pluginId: string, settings: PluginSettings = {}): Promise<PluginManifest> {
  const manifest = await readManifest(pluginId)
  const effective: PluginSettings = {}
  for (const field of manifest.settings ?? []) effective[field.key] = field.default ?? null
  Object.assign(effective, settings)

  await runPluginMigrations(pluginId, manifest)
  let entry = app.makePath('plugins', pluginId, manifest.entry ?? 'index.ts')
  // A built app has compiled the entry to .js
  if (!existsSync(entry) && entry.endsWith('.ts')) entry = entry.replace(/\.ts$/, '.js')
  const definition: PluginDefinition = (await import(pathToFileURL(entry).href)).default

  await teardowns.get(pluginId)?.()
  const log = {
    info: (message: string, data?: object) => logger.info({ plugin: pluginId, ...data }, message),
    error: (message: string, data?: object) => logger.error({ plugin: pluginId, ...data }, message),
  }
  await definition.setup(pluginRegistry.registrarFor(pluginId), { id: pluginId, settings: effective, log })
  settingsByPlugin.set(pluginId, effective)
  teardowns.set(pluginId, definition.teardown)
  return manifest
}

/**
 * Runs the plugin's own migrations (its manifest's "migrations" folder), in name order. The host
 * will track them per plugin; until then each migration checks for its tables itself.
 */
async function runPluginMigrations(pluginId: string, manifest: PluginManifest) {
  if (!manifest.migrations) return
  const folder = app.makePath('plugins', pluginId, manifest.migrations)
  const files = (await readdir(folder)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()
  for (const file of files) {
    const Schema = (await import(pathToFileURL(`${folder}/${file}`).href)).default
    await new Schema(db.connection(), `${folder}/${file}`, false).execUp()
  }
}

export async function unloadPlugin(pluginId: string) {
  await teardowns.get(pluginId)?.()
  teardowns.delete(pluginId)
  pluginRegistry.unregister(pluginId)
  settingsByPlugin.delete(pluginId)
}

export function pluginSettings(pluginId: string): PluginSettings {
  return settingsByPlugin.get(pluginId) ?? {}
}

/** The exporters in force with their plugin's settings, sorted by label */
export async function exportersWithSettings(): Promise<{ pluginId: string; exporter: AccountingExporter; settings: PluginSettings }[]> {
  shippedLoaded ??= (async () => {
    for (const id of SHIPPED_EXPORTERS) if (!settingsByPlugin.has(id)) await loadPlugin(id)
  })().catch((error) => {
    shippedLoaded = null
    throw error
  })
  await shippedLoaded
  return pluginRegistry
    .accountingExporters()
    .map(({ pluginId, exporter }) => ({ pluginId, exporter, settings: pluginSettings(pluginId) }))
    .sort((a, b) => (a.exporter.label < b.exporter.label ? -1 : a.exporter.label > b.exporter.label ? 1 : 0))
}
