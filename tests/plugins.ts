import type { PluginSettings } from '#plugins/contracts/plugin'
import { loadPlugin, unloadPlugin } from '#plugins/interim_loader'

/*
| Enables a plugin folder for a test, with settings over its manifest's defaults. Until the
| plugin host is merged this goes through the interim loader (app/plugins/interim_loader.ts);
| with the host it becomes "enable and configure through the host".
*/
export async function enablePluginForTest(pluginId: string, settings: PluginSettings = {}) {
  return loadPlugin(pluginId, settings)
}

export async function disablePluginForTest(pluginId: string) {
  await unloadPlugin(pluginId)
}
