import type { PluginSettings } from '#plugins/contracts/plugin'
import { pluginHost } from '#plugins/host'

/*
| Enables a shipped plugin for a test through the host, as an admin would: its settings
| (over the manifest's defaults) are checked and stored, its migrations run, then it loads.
*/
const SYSTEM = { userId: null, storeId: null, currency: 'USD' }

export async function enablePluginForTest(pluginId: string, settings: PluginSettings = {}) {
  await pluginHost.configure(pluginId, settings, SYSTEM)
  await pluginHost.enable(pluginId, SYSTEM)
}

export async function disablePluginForTest(pluginId: string) {
  await pluginHost.disable(pluginId, SYSTEM)
}
