import type { HttpContext } from '@adonisjs/core/http'
import { pluginHost, type HostActor, type PluginEntry } from '#plugins/host'
import { formValue } from '#plugins/settings'
import type { SettingField } from '#plugins/contracts/plugin'
import { keepFlashedInputSmall } from '#platform/flashed_input'

/** Plugins (an admin of every store only: the routes check managePlugins) */
export default class PluginsController {
  async index({ view }: HttpContext) {
    const lastErrors = await pluginHost.lastErrors()
    const plugins = pluginHost.list().map((entry) => present(entry, lastErrors.get(entry.id)))
    return view.render('backoffice/plugins/index', { plugins, roots: pluginHost.roots, coreVersion: pluginHost.coreVersion })
  }

  async rescan(ctx: HttpContext) {
    await pluginHost.rescan(actor(ctx))
    ctx.session.flash('notice', `Found ${pluginHost.list().length} plugins`)
    return ctx.response.redirect('/backoffice/plugins')
  }

  async edit({ params, view, store }: HttpContext) {
    const entry = pluginHost.get(params.id)
    const settings = entry.manifest && !entry.problems.length ? await pluginHost.settingsOf(entry.id) : {}
    const secrets = await pluginHost.secretStates(entry.id)
    const fields = (entry.manifest?.settings ?? []).map((field) => formField(field, settings[field.key], secrets.get(field.key) ?? null, store.currency))
    return view.render('backoffice/plugins/settings', { plugin: present(entry), fields })
  }

  async update(ctx: HttpContext) {
    const entry = pluginHost.get(ctx.params.id)
    let changed: string[]
    try {
      ;({ changed } = await pluginHost.configure(entry.id, ctx.request.all(), actor(ctx)))
    } catch (error: any) {
      if (error.code !== 'E_VALIDATION_ERROR') throw error
      // Back to the form with the errors on their fields; a typed secret is never flashed back
      const secrets = (entry.manifest?.settings ?? []).filter((f) => f.type === 'secret').map((f) => f.key)
      ctx.session.flashValidationErrors(error, false)
      ctx.session.flashExcept(['_csrf', '_method', ...secrets])
      keepFlashedInputSmall(ctx)
      return ctx.response.redirect(`/backoffice/plugins/${entry.id}/settings`)
    }
    ctx.session.flash('notice', changed.length ? `Settings of "${entry.manifest!.name}" saved` : 'Nothing changed')
    return ctx.response.redirect('/backoffice/plugins')
  }

  async enable(ctx: HttpContext) {
    const entry = pluginHost.get(ctx.params.id)
    try {
      await pluginHost.enable(entry.id, actor(ctx))
    } catch (error: any) {
      // Settings that fail the schema are fixed on the settings form, with the errors on the fields
      if (error.code === 'E_VALIDATION_ERROR') {
        // The instruction is the form's error (it showed as a green notice beside "could not be saved")
        ctx.session.flashValidationErrors(error)
        ctx.session.flashErrors({ E_VALIDATION_ERROR: `Fill in the settings of "${entry.manifest!.name}" before enabling it` })
        return ctx.response.redirect(`/backoffice/plugins/${entry.id}/settings`)
      }
      throw error
    }
    ctx.session.flash('notice', `"${entry.manifest!.name}" is enabled`)
    return ctx.response.redirect('/backoffice/plugins')
  }

  async disable(ctx: HttpContext) {
    const entry = pluginHost.get(ctx.params.id)
    await pluginHost.disable(entry.id, actor(ctx))
    ctx.session.flash('notice', `"${entry.manifest?.name ?? entry.id}" is disabled; its settings and data are kept`)
    return ctx.response.redirect('/backoffice/plugins')
  }
}

function actor(ctx: HttpContext): HostActor {
  return { userId: ctx.auth.user!.id, storeId: ctx.store.id, ip: ctx.request.ip(), currency: ctx.store.currency }
}

const STATE_LABELS = { available: 'Available', enabled: 'Enabled', failed: 'Failed to load', invalid: 'Cannot load' }

function present(entry: PluginEntry, lastError?: { message: string; at: Date }) {
  return {
    id: entry.id,
    name: entry.manifest?.name ?? entry.id,
    version: entry.manifest?.version ?? '',
    description: entry.manifest?.description ?? '',
    author: entry.manifest?.author ?? '',
    provides: Array.isArray(entry.manifest?.provides) ? entry.manifest!.provides : [],
    hasSettings: !entry.problems.length && (entry.manifest?.settings?.length ?? 0) > 0,
    state: entry.state,
    stateLabel: STATE_LABELS[entry.state],
    error: entry.error,
    problems: entry.problems,
    lastError: entry.lastError ?? lastError ?? null,
  }
}

const INPUT_TYPES: Record<SettingField['type'], string> = {
  string: 'text',
  secret: 'password',
  number: 'text',
  boolean: 'checkbox',
  select: 'select',
  money: 'text',
  percent: 'text',
  rate: 'text',
}

const SECRET_HINTS = {
  set: 'Set — leave empty to keep it',
  unreadable: 'Stored, but this server’s APP_KEY cannot read it (restored from an install with another key?): enter it again',
}

function formField(field: SettingField, value: any, secret: 'set' | 'unreadable' | null, currency: string) {
  const unit = field.type === 'money' ? ` (${currency})` : field.type === 'percent' || field.type === 'rate' ? ' (%)' : ''
  const secretSet = secret === 'set'
  const hint = [field.type === 'secret' && secret ? SECRET_HINTS[secret] : null, field.help ?? null].filter(Boolean).join('. ')
  const attrs: Record<string, unknown> = { autocomplete: 'off' }
  if (['number', 'money', 'percent', 'rate'].includes(field.type)) attrs.inputmode = 'decimal'
  if (field.maxLength) attrs.maxlength = field.maxLength
  return {
    name: field.key,
    label: field.label + unit,
    type: INPUT_TYPES[field.type],
    value: formValue(field, value, currency),
    required: !!field.required && !(field.type === 'secret' && secretSet),
    hint: hint || undefined,
    options: field.type === 'select' ? [...(field.required ? [] : [{ value: '', label: '—' }]), ...(field.options ?? [])] : undefined,
    attrs,
  }
}
