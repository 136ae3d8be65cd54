import type { ServerResponse } from 'node:http'
import type { Transform } from 'node:stream'
import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/*
| Compresses text answers (pages, fragments, CSS, JS, JSON, CSV, SVG) with gzip, or brotli when
| the client takes it: many self-hosters run the app with no proxy in front, and a till on a
| slow shop network waits on bytes. It works on Node's ServerResponse itself, so buffered
| bodies, files from the static middleware and streamed downloads (CSV exports) all pass
| through, and a stream still leaves in chunks as it is produced. Left alone: server-sent
| events (compression holds events back), bodies already encoded (the vendor files come
| gzipped), bodies under 1 KB, HEAD, 204 and 304. On in production, or with
| COMPRESS_RESPONSES=true; off in development, where a readable answer in dev tools helps more.
*/
const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|xml|[a-z.+-]*\+(json|xml))|image\/svg\+xml)/i
const THRESHOLD = 1024

export function compressionEnabled() {
  return app.inProduction || process.env.COMPRESS_RESPONSES === 'true'
}

/** The encoding to use: brotli, then gzip, when the client lists it with a non-zero q */
export function negotiateEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1)
  }
  const allows = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0
  if (allows('br')) return 'br'
  if (allows('gzip')) return 'gzip'
  return null
}

function addVary(res: ServerResponse) {
  const vary = String(res.getHeader('vary') ?? '')
  if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) {
    res.setHeader('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding')
  }
}

function byteLength(chunk: unknown) {
  if (chunk === null || chunk === undefined || typeof chunk === 'function') return 0
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Buffer).length
}

function compressor(encoding: 'br' | 'gzip', sizeHint: number): Transform {
  if (encoding === 'gzip') return createGzip({ level: 6 })
  // Quality 4: near gzip -9 in size at a fraction of brotli 11's CPU, for bodies made per request
  return createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      ...(sizeHint ? { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
    },
  })
}

/**
 * Puts a compressor between the response and the socket once the headers are known (the
 * moment they are written), the way the `compression` package of Express does.
 */
function wrap(res: ServerResponse, method: string, encoding: 'br' | 'gzip' | null) {
  const writeHead = res.writeHead
  const write = res.write
  const end = res.end
  let stream: Transform | null = null
  let decided = false

  const decide = (knownLength?: number) => {
    if (decided) return
    decided = true
    if (!COMPRESSIBLE.test(String(res.getHeader('content-type') ?? ''))) return
    addVary(res)
    const status = res.statusCode
    if (!encoding || method === 'HEAD' || status < 200 || status === 204 || status === 304) return
    const current = String(res.getHeader('content-encoding') ?? 'identity').toLowerCase()
    if (current !== 'identity') return
    const declared = res.getHeader('content-length')
    const length = declared !== undefined ? Number(declared) : knownLength
    if (length !== undefined && length < THRESHOLD) return
    res.setHeader('Content-Encoding', encoding)
    res.removeHeader('Content-Length')
    stream = compressor(encoding, length ?? 0)
    stream.on('data', (chunk: Buffer) => {
      if ((write as any).call(res, chunk) === false) stream!.pause()
    })
    stream.on('drain', () => res.emit('drain'))
    res.on('drain', () => stream!.resume())
    stream.on('end', () => (end as any).call(res))
  }

  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: any[]) {
    // Headers given to writeHead (AdonisJS passes them there) must be visible to decide()
    const headers = rest.find((value) => value && typeof value === 'object')
    if (headers && !Array.isArray(headers)) {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as any)
    }
    res.statusCode = statusCode
    decide()
    const message = typeof rest[0] === 'string' ? rest[0] : undefined
    return message ? (writeHead as any).call(res, statusCode, message) : writeHead.call(res, statusCode)
  } as any

  res.write = function (chunk: any, ...args: any[]) {
    if (!res.headersSent) res.writeHead(res.statusCode)
    if (!stream) return (write as any).apply(res, [chunk, ...args])
    return stream.write(chunk, ...(args as []))
  } as any

  res.end = function (chunk?: any, ...args: any[]) {
    if (!res.headersSent) {
      decide(byteLength(chunk))
      res.writeHead(res.statusCode)
    }
    if (!stream) return (end as any).apply(res, [chunk, ...args])
    if (typeof chunk === 'function') stream.end(chunk)
    else if (chunk === undefined || chunk === null) stream.end(...(args as []))
    else stream.end(chunk, ...(args as []))
    return res
  } as any
}

export default class CompressionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (compressionEnabled()) {
      wrap(ctx.response.response, ctx.request.method(), negotiateEncoding(ctx.request.header('accept-encoding')))
    }
    return next()
  }
}
