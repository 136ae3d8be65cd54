import type { PluginSettings } from '#plugins/contracts/plugin'
import { pluginHost } from '#plugins/host'
import { formValue } from '#plugins/settings'

/*
| Enables a shipped plugin for a test through the host, as an admin would: the settings (typed
| values: money in minor units) are entered as the settings form shows them, checked and stored,
| its migrations run, then it loads.
*/
const SYSTEM = { userId: null, storeId: null, currency: 'USD' }

export async function enablePluginForTest(pluginId: string, settings: PluginSettings = {}) {
  const fields = pluginHost.get(pluginId).manifest?.settings ?? []
  const input: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(settings)) {
    const field = fields.find((f) => f.key === key)
    input[key] = field ? formValue(field, value, SYSTEM.currency) : value
  }
  await pluginHost.configure(pluginId, input, SYSTEM)
  await pluginHost.enable(pluginId, SYSTEM)
}

export async function disablePluginForTest(pluginId: string) {
  await pluginHost.disable(pluginId, SYSTEM)
}
