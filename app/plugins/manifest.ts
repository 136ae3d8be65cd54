import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import logger from '@adonisjs/core/services/logger'
import { join } from 'node:path'
import semver from 'semver'
import type { ExtensionPoint, PluginManifest, SettingField } from '#plugins/contracts/plugin'

/*
| Reading and checking a plugin's plugin.json. Every problem is collected (not just the first)
| and worded for the admin who dropped the folder in: what is wrong, and with which field.
*/

export const PLUGIN_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
export const EXTENSION_POINTS: ExtensionPoint[] = ['payment-gateway', 'tax-region', 'loyalty', 'accounting-export', 'events']
const FIELD_TYPES = ['string', 'secret', 'number', 'boolean', 'select', 'money', 'percent', 'rate']
const SETTING_KEY = /^[a-z][a-z0-9_]{0,63}$/

export interface ManifestCheck {
  manifest: PluginManifest | null
  problems: string[]
}

/** The entries of a plugins folder; one missing or unreadable has none (logged), never a failed boot */
export function namesIn(root: string): string[] {
  if (!existsSync(root)) return []
  try {
    return readdirSync(root).sort()
  } catch (error) {
    logger.error({ err: error }, 'The plugins folder %s cannot be read', root)
    return []
  }
}

/**
 * One entry of a plugins folder: null when it is not a folder; a link to nothing (a removed
 * checkout) or a folder that cannot be read is a plugin that cannot load (it threw, and the POS
 * did not boot)
 */
export function readPluginFolder(folder: string, name: string, coreVersion: string): ManifestCheck | null {
  let isFolder: boolean
  try {
    isFolder = statSync(folder).isDirectory()
  } catch (error: any) {
    return { manifest: null, problems: [`the folder cannot be read (${error?.code ?? error?.message})`] }
  }
  return isFolder ? readManifest(folder, name, coreVersion) : null
}

export function readManifest(folder: string, folderName: string, coreVersion: string): ManifestCheck {
  const file = join(folder, 'plugin.json')
  if (!existsSync(file)) return { manifest: null, problems: ['plugin.json is missing'] }
  let raw: any
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error: any) {
    return { manifest: null, problems: [`plugin.json is not valid JSON: ${error.message}`] }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { manifest: null, problems: ['plugin.json must hold an object'] }
  }
  const problems = checkManifest(raw, folderName, coreVersion)
  if (problems.length === 0) {
    const entry = join(folder, raw.entry ?? 'index.ts')
    if (!existsSync(entry)) problems.push(`the entry file ${raw.entry ?? 'index.ts'} does not exist`)
  }
  return { manifest: raw as PluginManifest, problems }
}

export function checkManifest(raw: Record<string, any>, folderName: string, coreVersion: string): string[] {
  const problems: string[] = []
  const text = (key: string, max: number) => {
    const value = raw[key]
    if (value === undefined || value === null || value === '') problems.push(`"${key}" is missing`)
    else if (typeof value !== 'string') problems.push(`"${key}" must be text`)
    else if (value.length > max) problems.push(`"${key}" is longer than ${max} characters`)
  }
  text('id', 64)
  text('name', 80)
  text('version', 40)
  text('description', 500)
  text('author', 120)
  text('core', 80)

  if (typeof raw.id === 'string') {
    if (!PLUGIN_ID.test(raw.id)) problems.push(`"id" must be lower-case letters, digits and dashes (got "${raw.id}")`)
    else if (raw.id !== folderName) problems.push(`"id" is "${raw.id}" but the folder is "${folderName}": they must match`)
  }
  if (typeof raw.version === 'string' && !semver.valid(raw.version)) {
    problems.push(`"version" must be a semantic version such as 1.0.0 (got "${raw.version}")`)
  }
  if (typeof raw.core === 'string' && raw.core) {
    if (!semver.validRange(raw.core)) problems.push(`"core" is not a version range (got "${raw.core}")`)
    else if (!semver.satisfies(coreVersion, raw.core, { includePrerelease: true })) {
      problems.push(`needs core ${raw.core}, but this POS is version ${coreVersion}`)
    }
  }
  if (!Array.isArray(raw.provides) || raw.provides.length === 0) {
    problems.push(`"provides" must list what the plugin provides: ${EXTENSION_POINTS.join(', ')}`)
  } else {
    for (const point of raw.provides) {
      if (!EXTENSION_POINTS.includes(point)) problems.push(`"provides" has an unknown extension point "${point}"`)
    }
  }
  if (raw.entry !== undefined && (typeof raw.entry !== 'string' || raw.entry.includes('..') || raw.entry.startsWith('/'))) {
    problems.push('"entry" must be a file inside the plugin folder')
  }
  if (raw.migrations !== undefined && (typeof raw.migrations !== 'string' || raw.migrations.includes('..') || raw.migrations.startsWith('/'))) {
    problems.push('"migrations" must be a folder inside the plugin folder')
  }
  if (raw.settings !== undefined) {
    if (!Array.isArray(raw.settings)) problems.push('"settings" must be a list of fields')
    else problems.push(...checkSettingsSchema(raw.settings))
  }
  return problems
}

function checkSettingsSchema(fields: any[]): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  fields.forEach((field: SettingField, index) => {
    const at = `settings[${index}]`
    if (!field || typeof field !== 'object') return problems.push(`${at} must be an object`)
    if (typeof field.key !== 'string' || !SETTING_KEY.test(field.key)) {
      return problems.push(`${at}.key must be lower-case letters, digits and underscores`)
    }
    const name = `setting "${field.key}"`
    if (seen.has(field.key)) problems.push(`${name} is defined twice`)
    seen.add(field.key)
    if (typeof field.label !== 'string' || !field.label) problems.push(`${name} has no label`)
    if (!FIELD_TYPES.includes(field.type)) problems.push(`${name} has an unknown type "${field.type}" (one of ${FIELD_TYPES.join(', ')})`)
    if (field.type === 'select') {
      const ok = Array.isArray(field.options) && field.options.length > 0 &&
        field.options.every((o) => o && typeof o.value === 'string' && typeof o.label === 'string')
      if (!ok) problems.push(`${name} is a select without options [{value, label}]`)
    }
    if (field.min !== undefined && typeof field.min !== 'number') problems.push(`${name}: min must be a number`)
    if (field.max !== undefined && typeof field.max !== 'number') problems.push(`${name}: max must be a number`)
    if (field.pattern !== undefined) {
      try {
        new RegExp(field.pattern)
      } catch {
        problems.push(`${name}: pattern is not a valid regular expression`)
      }
    }
    if (field.type === 'secret' && field.default !== undefined) problems.push(`${name}: a secret cannot have a default`)
    else if (field.default !== undefined) {
      const wrong = wrongDefault(field)
      if (wrong) problems.push(`${name}: the default must be ${wrong} (got ${JSON.stringify(field.default)})`)
    }
  })
  return problems
}

/**
 * What a field's default should be, when it is not (null when it fits): a default the type
 * cannot hold reached the plugin as it was, the text "ten" for a number setting, before anyone
 * saved the form
 */
function wrongDefault(field: SettingField): string | null {
  const value = field.default
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'a number'
    case 'money':
    case 'percent':
    case 'rate':
      return Number.isSafeInteger(value) ? null : `a whole number (${field.type === 'money' ? 'minor units' : field.type === 'percent' ? 'basis points' : 'parts per million'})`
    case 'boolean':
      return typeof value === 'boolean' ? null : 'true or false'
    case 'select': {
      const values = Array.isArray(field.options) ? field.options.map((o) => o?.value) : []
      return value === '' || values.includes(value as string) ? null : `one of the options (${values.join(', ')})`
    }
    case 'string':
      return typeof value === 'string' ? null : 'text'
    default:
      return null
  }
}

/** What only one plugin may provide at a time, and what the one enabled does */
const ONE_AT_A_TIME: Partial<Record<ExtensionPoint, string>> = { 'tax-region': 'works out the tax', 'loyalty': 'runs the loyalty program' }

/**
 * Why a plugin may not be enabled beside those enabled (null when it may): one tax region and
 * one loyalty program at a time. The registry takes the first it holds, so with two on, which
 * one taxed a sale changed whenever either's settings were saved (it reloads behind the other)
 */
export function clashWithEnabled(manifest: PluginManifest, enabled: PluginManifest[]): string | null {
  for (const kind of manifest.provides ?? []) {
    const what = ONE_AT_A_TIME[kind]
    const other = what ? enabled.find((o) => o.id !== manifest.id && o.provides?.includes(kind)) : undefined
    if (other) return `"${other.name}" ${what} already: disable it first (one at a time)`
  }
  return null
}
