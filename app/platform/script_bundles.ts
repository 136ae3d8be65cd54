import { fileURLToPath } from 'node:url'
import { staticAsset, type StaticAsset } from '#platform/static_assets'

/*
| The browser scripts that are built from the app's own code: the offline till (its modules in
| resources/js/offline/ with the pure core, app/core, bundled in) and its service worker. esbuild
| builds each one the first time it is asked for, once per server process, and keeps it in
| memory, compressed (static_assets.ts): no build step to forget, no generated copy in the repo that could drift from
| the core the server runs.
*/
const root = fileURLToPath(new URL('../../', import.meta.url))

export const SCRIPT_BUNDLES: Record<string, string> = {
  'offline-till.js': 'resources/js/offline/till.js',
  'till-sw.js': 'resources/js/offline/service_worker.js',
}

const built = new Map<string, Promise<StaticAsset>>()

async function build(name: string): Promise<StaticAsset> {
  const { build: esbuild } = await import('esbuild')
  const result = await esbuild({
    entryPoints: [`${root}${SCRIPT_BUNDLES[name]}`],
    bundle: true,
    write: false,
    minify: true,
    // The till's module exports what the tests reach with import(); the worker is a classic script
    format: name === 'till-sw.js' ? 'iife' : 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  })
  return staticAsset(Buffer.from(result.outputFiles[0].contents), 'text/javascript; charset=utf-8')
}

/** The named bundle, built on first use; null for a name that is not one */
export function scriptBundle(name: string): Promise<StaticAsset> | null {
  if (!Object.hasOwn(SCRIPT_BUNDLES, name)) return null
  let entry = built.get(name)
  if (!entry) {
    entry = build(name)
    // A failed build is tried again on the next request, not cached
    entry.catch(() => built.delete(name))
    built.set(name, entry)
  }
  return entry
}
