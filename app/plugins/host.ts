import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { errors as vineErrors } from '@vinejs/vine'
import { DomainError, notFound } from '#exceptions/domain_error'
import { recordAudit } from '#platform/audit_service'
import { dbTimestamp } from '#platform/db_time'
import { pluginRegistry } from '#plugins/registry'
import { clashWithEnabled, namesIn, readPluginFolder } from '#plugins/manifest'
import { isolatingRegistrar, messageOf, withTimeout } from '#plugins/isolation'
import { decodeSetting, defaultSettings, encodeSetting, validateSettings } from '#plugins/settings'
import type { PluginDefinition, PluginManifest, PluginSettings } from '#plugins/contracts/plugin'
import { migrateAndActivate } from '#plugins/plugin_migrations'
import pluginsConfig from '#config/plugins'
import { transaction } from '#platform/db_transaction'

/*
| The plugin host. It finds plugins/<id>/ folders (at boot and on "Rescan"), checks their
| manifests, and enables, configures and disables them. Enabling is all or nothing: the
| settings are checked, the plugin's own migrations run, its entry module is imported and its
| setup() registers what it provides; if any step fails nothing stays registered, the
| migrations are undone and the plugin is marked failed with the error. The enabled set and
| the settings live in the database, so a restart loads the same plugins again.
*/

export type PluginState = 'available' | 'enabled' | 'failed' | 'invalid'

export interface PluginEntry {
  /** The folder's name (the manifest's id when it is valid) */
  id: string
  folder: string
  manifest: PluginManifest | null
  /** What is wrong with the manifest or folder: such a plugin cannot be enabled */
  problems: string[]
  state: PluginState
  /** Why it failed to load */
  error: string | null
  /** The last error it raised while running (a hook that threw or hung) */
  lastError: { message: string; at: Date } | null
  definition: PluginDefinition | null
}

export interface HostActor {
  userId: number | null
  storeId: number | null
  ip?: string | null
  currency: string
}

/** Thrown when settings fail their schema; the form shows each message on its field */
export function settingsError(errors: { field: string; message: string; rule: string }[]) {
  return new vineErrors.E_VALIDATION_ERROR(errors)
}

const CORE_VERSION: string = JSON.parse(readFileSync(app.makePath('package.json'), 'utf8')).version

class PluginHost {
  #roots: string[] = pluginsConfig.paths
  #entries = new Map<string, PluginEntry>()
  #queue: Promise<unknown> = Promise.resolve()
  hookTimeoutMs = pluginsConfig.hookTimeoutMs
  gatewayTimeoutMs = pluginsConfig.gatewayTimeoutMs
  exportRowTimeoutMs = pluginsConfig.exportRowTimeoutMs
  readonly coreVersion = CORE_VERSION

  /** The folders scanned for plugins (tests point the host at their fixtures) */
  get roots() {
    return [...this.#roots]
  }

  setRoots(roots: string[]) {
    this.#roots = roots
  }

  /** One change at a time: two admins enabling at once must not interleave migrations */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work)
    this.#queue = run.catch(() => {})
    return run
  }

  list(): PluginEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.id.localeCompare(b.id))
  }

  get(id: string): PluginEntry {
    const entry = this.#entries.get(id)
    if (!entry) throw notFound(`The plugin "${id}"`)
    return entry
  }

  find(id: string): PluginEntry | undefined {
    return this.#entries.get(id)
  }

  // ------------------------------------------------------------------ discovery

  /** Reads every plugin folder again; plugins that are running keep running */
  discover() {
    const found = new Map<string, PluginEntry>()
    for (const root of this.#roots) {
      for (const name of namesIn(root)) {
        const folder = join(root, name)
        if (name.startsWith('.')) continue
        const read = readPluginFolder(folder, name, this.coreVersion)
        if (!read) continue
        const { manifest, problems } = read
        const previous = this.#entries.get(name)
        const duplicate = found.get(name)
        if (duplicate) {
          duplicate.problems.push(`the id "${name}" is used by two folders: ${duplicate.folder} and ${folder}`)
          duplicate.state = duplicate.state === 'enabled' ? 'enabled' : 'invalid'
          continue
        }
        const running = previous?.state === 'enabled' && previous.folder === folder
        found.set(name, {
          id: name,
          folder,
          manifest,
          problems,
          state: running ? 'enabled' : problems.length ? 'invalid' : previous?.state === 'failed' ? 'failed' : 'available',
          error: problems.length ? null : (previous?.error ?? null),
          lastError: previous?.lastError ?? null,
          definition: running ? previous!.definition : null,
        })
      }
    }
    // A running plugin whose folder vanished keeps running until it is disabled
    for (const [id, previous] of this.#entries) {
      if (!found.has(id) && previous.state === 'enabled') {
        found.set(id, { ...previous, problems: [...previous.problems, 'its folder is gone; disable it'] })
      }
    }
    this.#entries = found
  }

  /** Boot: discover, then load the plugins the database says are enabled. Never throws. */
  async boot() {
    this.discover()
    let rows: { id: string; last_error: string | null; last_error_at: any }[] = []
    try {
      rows = await db.from('plugins').select('id', 'enabled', 'last_error', 'last_error_at').where('enabled', true)
    } catch (error: any) {
      // Before the first migration there is no plugins table: nothing is enabled yet
      logger.warn('Plugins not loaded: %s', error.message)
      return
    }
    for (const row of rows) {
      const entry = this.#entries.get(row.id)
      if (!entry) {
        logger.error('Plugin %s is enabled but its folder was not found', row.id)
        continue
      }
      if (entry.state === 'enabled') continue
      if (entry.problems.length) {
        entry.state = 'invalid'
        logger.error('Plugin %s is enabled but cannot load: %s', row.id, entry.problems.join('; '))
        continue
      }
      try {
        await this.#activate(entry, await this.settingsOf(entry.id))
      } catch (error: any) {
        this.#markFailed(entry, error)
      }
    }
  }

  /** Tells every running plugin to stop (sockets, timers) at shutdown */
  async shutdown() {
    for (const entry of this.#entries.values()) {
      if (entry.state !== 'enabled') continue
      await this.#teardown(entry)
    }
  }

  async rescan(actor: HostActor) {
    return this.#serial(async () => {
      this.discover()
      await recordAudit({ action: 'plugins_rescanned', storeId: actor.storeId, userId: actor.userId, subjectType: 'plugin', data: { found: this.list().map((p) => p.id) }, ip: actor.ip })
    })
  }

  // ------------------------------------------------------------------ settings

  /** The stored settings over the defaults, secrets decrypted */
  async settingsOf(id: string, client: QueryClientContract = db.connection()): Promise<PluginSettings> {
    const fields = this.#entries.get(id)?.manifest?.settings ?? []
    const settings = defaultSettings(fields)
    const rows = await client.from('plugin_settings').where('plugin_id', id).select('key', 'value', 'encrypted')
    for (const row of rows) {
      if (!fields.some((f) => f.key === row.key)) continue
      settings[row.key] = decodeSetting({ value: row.value, encrypted: !!Number(row.encrypted) })
    }
    return settings
  }

  /**
   * Which secrets have a stored value (the form says "set" without ever showing it), and whether
   * this server's APP_KEY reads it: one restored from an install with another key reads as
   * nothing, and the form said "Set" while the plugin ran without it
   */
  async secretStates(id: string): Promise<Map<string, 'set' | 'unreadable'>> {
    const rows = await db.from('plugin_settings').where({ plugin_id: id, encrypted: true }).whereNotNull('value').select('key', 'value')
    return new Map(rows.map((r) => [String(r.key), decodeSetting({ value: r.value, encrypted: true }) === null ? 'unreadable' : 'set']))
  }

  async configure(id: string, input: Record<string, any>, actor: HostActor) {
    return this.#serial(async () => {
      const entry = this.#usable(id)
      const fields = entry.manifest!.settings ?? []
      const current = await this.settingsOf(id)
      const { values, errors } = validateSettings(fields, input, current, actor.currency)
      if (errors.length) throw settingsError(errors)

      const changed = fields.filter((f) => JSON.stringify(values[f.key]) !== JSON.stringify(current[f.key])).map((f) => f.key)
      // A running plugin picks the new settings up at once; if it refuses them, the old ones stay
      if (entry.state === 'enabled' && changed.length) {
        await this.#teardown(entry)
        try {
          await this.#activate(entry, values)
        } catch (error: any) {
          try {
            await this.#activate(entry, current)
          } catch (again: any) {
            this.#markFailed(entry, again)
            await this.#saveState(entry.id, { enabled: false })
          }
          throw new DomainError(`The plugin refused these settings: ${messageOf(error)}`, { code: 'plugin_settings_refused', field: 'form' })
        }
      }
      await transaction(async (trx) => {
        for (const field of fields) {
          const stored = encodeSetting(field, values[field.key])
          await trx.from('plugin_settings').where({ plugin_id: id, key: field.key }).delete()
          await trx.table('plugin_settings').insert({ plugin_id: id, key: field.key, value: stored.value, encrypted: stored.encrypted, updated_at: dbTimestamp() })
        }
        await recordAudit(
          // Secrets are named, never written to the audit log
          { action: 'plugin_configured', storeId: actor.storeId, userId: actor.userId, subjectType: 'plugin', data: { plugin: id, changed }, ip: actor.ip },
          trx
        )
      })
      return { changed }
    })
  }

  // ------------------------------------------------------------------ enable, disable

  async enable(id: string, actor: HostActor) {
    return this.#serial(async () => {
      const entry = this.#usable(id)
      if (entry.state === 'enabled') return entry
      // Enabled here, or by another app server (the stored flag), or failed to load at boot
      const stored = new Set((await db.from('plugins').where('enabled', true).select('id')).map((row) => String(row.id)))
      const enabled = this.list().filter((o) => o.manifest && (o.state === 'enabled' || stored.has(o.id)))
      const clash = clashWithEnabled(entry.manifest!, enabled.map((o) => o.manifest!))
      if (clash) throw new DomainError(clash, { status: 409, code: 'plugin_conflict', field: 'form' })
      const fields = entry.manifest!.settings ?? []
      const settings = await this.settingsOf(id)
      // Every required setting needs a value before the plugin may run
      const missing = fields
        .filter((f) => f.required && (settings[f.key] === null || settings[f.key] === undefined || settings[f.key] === ''))
        .map((f) => ({ field: f.key, message: `${f.label} is required`, rule: 'required' }))
      if (missing.length) throw settingsError(missing)

      try {
        await migrateAndActivate(entry, () => this.#activate(entry, settings))
      } catch (error: any) {
        this.#markFailed(entry, error)
        await this.#saveState(id, { enabled: false, last_error: `Enable failed: ${messageOf(error)}`, last_error_at: dbTimestamp() })
        await recordAudit({ action: 'plugin_enable_failed', storeId: actor.storeId, userId: actor.userId, subjectType: 'plugin', data: { plugin: id, error: messageOf(error) }, ip: actor.ip })
        throw new DomainError(`"${entry.manifest!.name}" could not be enabled: ${messageOf(error)}`, { status: 422, code: 'plugin_enable_failed', field: 'form' })
      }
      await this.#saveState(id, { enabled: true, version: entry.manifest!.version, enabled_at: dbTimestamp() })
      await recordAudit({ action: 'plugin_enabled', storeId: actor.storeId, userId: actor.userId, subjectType: 'plugin', data: { plugin: id, version: entry.manifest!.version }, ip: actor.ip })
      return entry
    })
  }

  /** Stops the plugin at once; its settings, tables and data stay for when it is enabled again */
  async disable(id: string, actor: HostActor) {
    return this.#serial(async () => {
      const entry = this.get(id)
      await this.#teardown(entry)
      entry.state = entry.problems.length ? 'invalid' : 'available'
      entry.error = null
      await this.#saveState(id, { enabled: false })
      await recordAudit({ action: 'plugin_disabled', storeId: actor.storeId, userId: actor.userId, subjectType: 'plugin', data: { plugin: id }, ip: actor.ip })
      return entry
    })
  }

  // ------------------------------------------------------------------ errors while running

  /** A hook of a running plugin threw or hung: keep it for the plugins page and the log */
  recordError(id: string, where: string, error: unknown) {
    const message = `${where}: ${messageOf(error)}`.slice(0, 1000)
    const entry = this.#entries.get(id)
    if (entry) entry.lastError = { message, at: new Date() }
    logger.error({ err: error, plugin: id }, 'Plugin %s failed in %s', id, where)
    this.#saveState(id, { last_error: message, last_error_at: dbTimestamp() }).catch((e) =>
      logger.error({ err: e }, 'Could not record the error of plugin %s', id)
    )
  }

  async lastErrors(): Promise<Map<string, { message: string; at: Date }>> {
    const rows = await db.from('plugins').whereNotNull('last_error').select('id', 'last_error', 'last_error_at')
    return new Map(rows.map((r) => [r.id, { message: r.last_error, at: new Date(r.last_error_at) }]))
  }

  // ------------------------------------------------------------------ internals

  #usable(id: string): PluginEntry {
    const entry = this.get(id)
    if (entry.problems.length || !entry.manifest) {
      throw new DomainError(`"${id}" cannot be used: ${entry.problems.join('; ')}`, { code: 'plugin_invalid', field: 'form' })
    }
    return entry
  }

  #markFailed(entry: PluginEntry, error: unknown) {
    pluginRegistry.unregister(entry.id)
    entry.state = 'failed'
    entry.definition = null
    entry.error = messageOf(error)
    logger.error({ err: error, plugin: entry.id }, 'Plugin %s failed to load', entry.id)
  }

  async #saveState(id: string, values: Record<string, unknown>) {
    const now = dbTimestamp()
    const updated = await db.from('plugins').where('id', id).update({ ...values, updated_at: now })
    if (!(Array.isArray(updated) ? updated[0] : updated)) {
      await db.table('plugins').insert({ id, enabled: false, ...values, created_at: now, updated_at: now })
    }
  }

  /** Imports the entry module and runs setup(); on any failure nothing stays registered */
  async #activate(entry: PluginEntry, settings: PluginSettings) {
    const manifest = entry.manifest!
    const file = join(entry.folder, manifest.entry ?? 'index.ts')
    // Import the .js name (the TypeScript loader maps it to .ts); the version busts the module cache after a rescan
    const url = `${pathToFileURL(file.replace(/\.ts$/, '.js')).href}?v=${statSync(file).mtimeMs}`
    try {
      const module = await withTimeout(import(url), this.hookTimeoutMs * 3, 'loading the entry module')
      const definition = module.default as PluginDefinition | undefined
      if (!definition || typeof definition.setup !== 'function') {
        throw new Error(`${manifest.entry ?? 'index.ts'} must export default definePlugin({ setup })`)
      }
      const registrar = isolatingRegistrar(entry.id, pluginRegistry.registrarFor(entry.id), this)
      const pluginLog = logger.child({ plugin: entry.id })
      await withTimeout(
        Promise.resolve().then(() =>
          definition.setup(registrar, {
            id: entry.id,
            settings: { ...settings },
            log: { info: (m, d) => pluginLog.info(d ?? {}, m), error: (m, d) => pluginLog.error(d ?? {}, m) },
          })
        ),
        this.hookTimeoutMs,
        'setup()'
      )
      entry.definition = definition
      entry.state = 'enabled'
      entry.error = null
    } catch (error) {
      pluginRegistry.unregister(entry.id)
      entry.definition = null
      throw error
    }
  }

  async #teardown(entry: PluginEntry) {
    const definition = entry.definition
    pluginRegistry.unregister(entry.id)
    entry.definition = null
    if (definition?.teardown) {
      try {
        await withTimeout(Promise.resolve().then(() => definition.teardown!()), this.hookTimeoutMs, 'teardown()')
      } catch (error) {
        this.recordError(entry.id, 'teardown()', error)
      }
    }
  }
}

export const pluginHost = new PluginHost()
export type { PluginHost }
