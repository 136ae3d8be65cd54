import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { createRequire } from 'node:module'
import type { HttpContext } from '@adonisjs/core/http'

/*
| htmx and Alpine are served straight from their npm packages (no copy in the repo, no build
| step), gzipped once in memory and cached by browsers for a year: the till's first page
| stays small on a slow shop network.
*/
const require = createRequire(import.meta.url)
const FILES: Record<string, string> = {
  'htmx.min.js': 'htmx.org/dist/htmx.min.js',
  // Alpine's CSP build: expressions are parsed, not compiled with Function (no 'unsafe-eval')
  'alpine.min.js': '@alpinejs/csp/dist/cdn.min.js',
  'transmit.js': '@adonisjs/transmit-client/build/index.js',
}
const cache = new Map<string, { raw: Buffer; gzipped: Buffer }>()

function load(name: string) {
  let entry = cache.get(name)
  if (!entry) {
    const raw = readFileSync(require.resolve(FILES[name]))
    entry = { raw, gzipped: gzipSync(raw, { level: 9 }) }
    cache.set(name, entry)
  }
  return entry
}

export default class VendorAssetsController {
  handle({ params, request, response }: HttpContext) {
    if (!Object.hasOwn(FILES, params.file)) return response.notFound('')
    const entry = load(params.file)
    response.header('Content-Type', 'text/javascript; charset=utf-8')
    response.header('Cache-Control', 'public, max-age=31536000, immutable')
    response.header('Vary', 'Accept-Encoding')
    if (/\bgzip\b/.test(request.header('accept-encoding') ?? '')) {
      response.header('Content-Encoding', 'gzip')
      return response.send(entry.gzipped)
    }
    return response.send(entry.raw)
  }
}
