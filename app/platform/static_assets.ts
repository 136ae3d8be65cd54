import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { COMPRESSIBLE, negotiateEncoding } from '#platform/content_encoding'

/*
| The browser's files: public/'s (CSS, the app's scripts), the vendored scripts (htmx, Alpine,
| from their npm packages) and the offline till's bundles. Each is read once, compressed once at
| the highest levels (brotli 11, gzip 9: a fifth smaller than the per-request brotli 4 they were
| sent with, which also cost CPU on every load) in libuv's thread pool, and kept in memory: they
| are few and small. Every one has an ETag (a 304 to a browser that has it). A page names each
| with its version (`asset('/js/app.js')` in a template: `/js/app.js?v=<hash>`), and such a URL
| is cached by the browser for a year without asking again: a till's page loads with no request
| for its scripts, and a deploy that changes one changes its URL. A URL without the version (a
| module another one imports, the offline till's service worker) is asked again each time.
*/

const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)

// Compressing a larger file at these levels would hold a pool thread for seconds; none is this big
const COMPRESS_LIMIT = 4 * 1024 * 1024

export interface StaticAsset {
  raw: Buffer
  contentType: string
  /** The content's hash: the ETag, and the `v` of a versioned URL */
  version: string
  /** Null when the type does not compress, or the file is too small or too large to gain */
  br: Buffer | null
  gzip: Buffer | null
}

export function assetVersion(raw: Buffer) {
  return createHash('sha256').update(raw).digest('base64url').slice(0, 16)
}

/** The asset of a file's content, compressed (when it gains) off the event loop */
export async function staticAsset(raw: Buffer, contentType: string): Promise<StaticAsset> {
  const compresses = COMPRESSIBLE.test(contentType) && raw.length >= 1024 && raw.length <= COMPRESS_LIMIT
  const [br, gz] = compresses
    ? await Promise.all([
        brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
        gzipped(raw, { level: 9 }),
      ])
    : [null, null]
  return { raw, contentType, version: assetVersion(raw), br, gzip: gz }
}

/** A 304 when the browser's copy is this one (If-None-Match names it, or is *) */
function browserHas(ifNoneMatch: string | undefined, etag: string) {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`
  })
}

/**
 * Sends the asset: brotli or gzip as the client takes them, its ETag, and a year in the browser's
 * cache when the URL names this version (`?v=`), else asked again each time (no-cache)
 */
export function sendStaticAsset({ request, response }: HttpContext, asset: StaticAsset) {
  const etag = `"${asset.version}"`
  response.header('Content-Type', asset.contentType)
  response.header('ETag', etag)
  response.header('Vary', 'Accept-Encoding')
  response.header('Cache-Control', request.qs().v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache')
  if (browserHas(request.header('if-none-match'), etag)) return response.status(304).send('')
  const encoding = asset.br ? negotiateEncoding(request.header('accept-encoding')) : null
  if (!encoding) return response.send(asset.raw)
  response.header('Content-Encoding', encoding)
  return response.send(encoding === 'br' ? asset.br : asset.gzip)
}

// ------------------------------------------------------------------ public/

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  woff2: 'font/woff2',
}

interface PublicFile {
  /** When it was read: a file changed since is read again (in development; a deploy restarts) */
  modified: number
  /** Its path under public/, decoded: what its type is told by */
  name: string
  raw: Buffer
  version: string
  asset?: Promise<StaticAsset>
}

const publicFiles = new Map<string, PublicFile>()

/**
 * The file of public/ a URL path names (`/css/app.css`), read once; null when there is none.
 * A dot file, `..`, or a path that does not decode names none.
 */
function publicFile(path: string): PublicFile | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return null
  }
  const segments = decoded.split('/').slice(1)
  if (!segments.length || segments.some((segment) => !segment || segment.startsWith('.') || /[\\\0]/.test(segment))) return null
  const kept = publicFiles.get(decoded)
  if (kept && app.inProduction) return kept
  const stats = statSync(join(app.publicPath(), ...segments), { throwIfNoEntry: false })
  if (!stats?.isFile()) return null
  if (kept && kept.modified === stats.mtimeMs) return kept
  const raw = readFileSync(join(app.publicPath(), ...segments))
  const file: PublicFile = { modified: stats.mtimeMs, name: decoded, raw, version: assetVersion(raw) }
  publicFiles.set(decoded, file)
  return file
}

/** The asset of public/'s file at a URL path, null when there is none */
export function publicAsset(path: string): Promise<StaticAsset> | null {
  const file = publicFile(path)
  if (!file) return null
  const extension = file.name.slice(file.name.lastIndexOf('.') + 1).toLowerCase()
  file.asset ??= staticAsset(file.raw, TYPES[extension] ?? 'application/octet-stream')
  return file.asset
}

// ------------------------------------------------------------------ the vendored scripts

const VENDORED: Record<string, string> = {
  'htmx.min.js': 'htmx.org/dist/htmx.min.js',
  // Alpine's CSP build: expressions are parsed, not compiled with Function (no 'unsafe-eval')
  'alpine.min.js': '@alpinejs/csp/dist/cdn.min.js',
  'transmit.js': '@adonisjs/transmit-client/build/index.js',
}
const require = createRequire(import.meta.url)
const vendored = new Map<string, { raw: Buffer; version: string; asset?: Promise<StaticAsset> }>()

function vendoredFile(name: string) {
  if (!Object.hasOwn(VENDORED, name)) return null
  let file = vendored.get(name)
  if (!file) {
    const raw = readFileSync(require.resolve(VENDORED[name]))
    file = { raw, version: assetVersion(raw) }
    vendored.set(name, file)
  }
  return file
}

/** The vendored script of that name (`htmx.min.js`), null for a name that is not one */
export function vendoredAsset(name: string): Promise<StaticAsset> | null {
  const file = vendoredFile(name)
  if (!file) return null
  file.asset ??= staticAsset(file.raw, 'text/javascript; charset=utf-8')
  return file.asset
}

/**
 * A page's URL for one of these files, with its version: `/js/app.js?v=…` (a year in the
 * browser's cache). The path as given when there is no such file.
 */
export function assetUrl(path: string) {
  const version = path.startsWith('/vendor/') ? vendoredFile(path.slice('/vendor/'.length))?.version : publicFile(path)?.version
  return version ? `${path}?v=${version}` : path
}
