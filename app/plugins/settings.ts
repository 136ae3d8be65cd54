import encryption from '@adonisjs/core/services/encryption'
import { currencyDigits, parseMoney } from '#core/money'
import type { PluginSettings, SettingField } from '#plugins/contracts/plugin'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| A plugin's settings, checked against the schema in its manifest. Form input arrives as text;
| values are stored typed (money in minor units, percent in basis points, rate in ppm) as
| JSON, and secrets encrypted with the app's key. A blank secret keeps the stored one, so a
| secret never has to be shown again.
*/

export interface SettingError {
  field: string
  message: string
  rule: string
}

export type StoredSetting = { value: string | null; encrypted: boolean }

/** Decimal text to an integer scaled by 10^places ("6.25" with 4 places -> 62500), or null */
function scaled(text: string, places: number): number | null {
  const cleaned = text.trim().replace(/[\s%]/g, '')
  if (!new RegExp(`^-?\\d+(\\.\\d{1,${places}})?$`).test(cleaned)) return null
  const negative = cleaned.startsWith('-')
  const [whole, fraction = ''] = cleaned.replace('-', '').split('.')
  const value = Number(whole) * 10 ** places + Number(fraction.padEnd(places, '0') || 0)
  return negative ? -value : value
}

function unscaled(value: number, places: number): string {
  const text = (Math.abs(value) / 10 ** places).toFixed(places).replace(/\.?0+$/, '')
  return (value < 0 ? '-' : '') + text
}

function isBlank(value: unknown) {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
}

/**
 * Checks form input against the schema. `current` holds the stored settings (secrets
 * decrypted) so a blank secret keeps its value. Returns the typed values or the field errors.
 */
export function validateSettings(
  fields: SettingField[],
  input: Record<string, any>,
  current: PluginSettings,
  currency: string
): { values: PluginSettings; errors: SettingError[] } {
  const values: PluginSettings = {}
  const errors: SettingError[] = []
  const fail = (field: SettingField, message: string, rule: string) => errors.push({ field: field.key, message, rule })

  for (const field of fields) {
    let raw = input[field.key]
    if (Array.isArray(raw)) raw = field.type === 'boolean' ? raw.includes('on') || raw.includes('true') : raw.at(-1)

    if (field.type === 'boolean') {
      values[field.key] = raw === true || raw === 'on' || raw === 'true' || raw === '1'
      continue
    }
    if (field.type === 'secret' && isBlank(raw)) {
      const kept = current[field.key]
      if (isBlank(kept)) {
        if (field.required) fail(field, `${field.label} is required`, 'required')
        values[field.key] = null
      } else {
        values[field.key] = kept
      }
      continue
    }
    // A required field the form sent blank is refused at it: it was saved as its default, said
    // "saved", and the admin's clearing was silently undone. One not required, or not sent at all
    // (a configuration made in code names only what it changes), falls back to its default
    if (isBlank(raw)) {
      const missing = field.required && (raw !== undefined || field.default === undefined)
      if (missing) fail(field, `${field.label} is required`, 'required')
      else values[field.key] = field.default ?? null
      continue
    }
    const text = String(raw).trim()
    switch (field.type) {
      case 'string':
      case 'secret': {
        const max = field.maxLength ?? 500
        if (text.length > max) fail(field, `${field.label} must be at most ${max} characters`, 'maxLength')
        else if (field.pattern && !new RegExp(`^(?:${field.pattern})$`).test(text)) fail(field, `${field.label} has the wrong format`, 'pattern')
        else values[field.key] = text
        break
      }
      case 'select': {
        if (!field.options?.some((o) => o.value === text)) fail(field, `Choose one of the listed values for ${field.label}`, 'enum')
        else values[field.key] = text
        break
      }
      default: {
        let number: number | null
        let shown: (n: number) => string
        // The decimals a field takes: more is said as such ("20.00001" was "must be a number")
        let places: number | null = null
        if (field.type === 'money') {
          number = parseMoney(text, currency)
          shown = (n) => unscaled(n, currencyDigits(currency))
          places = currencyDigits(currency)
        } else if (field.type === 'percent') {
          number = scaled(text, 2)
          shown = (n) => `${unscaled(n, 2)}%`
          places = 2
        } else if (field.type === 'rate') {
          number = scaled(text, 4)
          shown = (n) => `${unscaled(n, 4)}%`
          places = 4
        } else {
          number = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null
          shown = (n) => String(n)
        }
        if (number === null && places !== null && /^-?\d+\.\d+%?$/.test(text.replace(/\s/g, ''))) {
          fail(field, `${field.label} takes at most ${places} decimal${places === 1 ? '' : 's'}`, 'decimals')
        } else if (number === null || !Number.isFinite(number)) {
          fail(field, `${field.label} must be a number`, 'number')
        } else if (field.min !== undefined && number < field.min) {
          fail(field, `${field.label} must be at least ${shown(field.min)}`, 'min')
        } else if (field.max !== undefined && number > field.max) {
          fail(field, `${field.label} must be at most ${shown(field.max)}`, 'max')
        } else {
          values[field.key] = number
        }
      }
    }
  }
  return { values, errors }
}

/** Defaults for every field: what a plugin sees before it was ever configured */
export function defaultSettings(fields: SettingField[]): PluginSettings {
  return Object.fromEntries(fields.map((f) => [f.key, f.type === 'secret' ? null : (f.default ?? (f.type === 'boolean' ? false : null))]))
}

export function encodeSetting(field: SettingField | undefined, value: PluginSettings[string]): StoredSetting {
  if (field?.type === 'secret' && value !== null && value !== undefined) {
    return { value: encryption.encrypt(String(value)), encrypted: true }
  }
  return { value: JSON.stringify(value ?? null), encrypted: false }
}

/** The stored secrets this server's APP_KEY cannot read (a backup restored from an install with another key) */
export async function unreadableSecrets(client: QueryClientContract): Promise<{ plugin: string; key: string }[]> {
  const rows = await client.from('plugin_settings').where('encrypted', true).whereNotNull('value').select('plugin_id', 'key', 'value')
  return rows.filter((row) => decodeSetting({ value: row.value, encrypted: true }) === null).map((row) => ({ plugin: String(row.plugin_id), key: String(row.key) }))
}

export function decodeSetting(stored: StoredSetting): PluginSettings[string] {
  if (stored.value === null) return null
  if (stored.encrypted) return (encryption.decrypt<string>(stored.value) as string | null) ?? null
  try {
    return JSON.parse(stored.value)
  } catch {
    return null
  }
}

/** What the form shows for a stored value: decimals for money, percent and rate; never a secret */
export function formValue(field: SettingField, value: PluginSettings[string], currency: string): string | boolean {
  if (field.type === 'secret') return ''
  if (value === null || value === undefined) return ''
  if (field.type === 'boolean') return !!value
  if (typeof value === 'number') {
    if (field.type === 'money') return unscaled(value, currencyDigits(currency))
    if (field.type === 'percent') return unscaled(value, 2)
    if (field.type === 'rate') return unscaled(value, 4)
  }
  return String(value)
}
