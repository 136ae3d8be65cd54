/*
| A plugin's validated settings. A leaf of the contracts, so each contract may name it without
| importing plugin.ts (which imports every contract); plugin.ts re-exports it for plugins.
*/
export type PluginSettings = Record<string, string | number | boolean | null>
