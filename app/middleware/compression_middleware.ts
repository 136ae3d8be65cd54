import type { ServerResponse } from 'node:http'
import type { Transform } from 'node:stream'
import { brotliCompressSync, constants, createBrotliCompress, createGzip, gzipSync } from 'node:zlib'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { COMPRESSIBLE, negotiateEncoding } from '#platform/content_encoding'

/*
| Compresses text answers (pages, fragments, CSS, JS, JSON, CSV, SVG) with gzip, or brotli when
| the client takes it: many self-hosters run the app with no proxy in front, and a till on a
| slow shop network waits on bytes. It works on Node's ServerResponse itself, so buffered
| bodies and streamed downloads (CSV exports) all pass through, and a stream still leaves in
| chunks as it is produced. Left alone: server-sent events (compression holds events back),
| bodies already encoded (the browser's files, compressed once: static_assets.ts), bodies under
| 1 KB, HEAD, 204 and 304. On in production, or with
| COMPRESS_RESPONSES=true; off in development, where a readable answer in dev tools helps more.
*/
const THRESHOLD = 1024
/*
| A body handed over whole (a page, a till's cart fragment, an API answer) and up to this size is
| compressed at once, on the event loop, and leaves with its headers in one write: 30-40 us of CPU
| for a 7 KB fragment, against about 100 us for a compression stream per answer, whose work also
| hops to libuv's thread pool and back, and whose output then leaves in two writes (the data, then
| the end of the chunked body). Larger bodies and streams go through the stream, so a long
| compression never holds the event loop.
*/
const WHOLE_BODY_LIMIT = 64 * 1024

export function compressionEnabled() {
  return app.inProduction || process.env.COMPRESS_RESPONSES === 'true'
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

function brotliOptions(sizeHint: number) {
  // Quality 4: near gzip -9 in size at a fraction of brotli 11's CPU, for bodies made per request
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      ...(sizeHint ? { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
    },
  }
}

function compressor(encoding: 'br' | 'gzip', sizeHint: number): Transform {
  return encoding === 'gzip' ? createGzip({ level: 6 }) : createBrotliCompress(brotliOptions(sizeHint))
}

function compressWhole(encoding: 'br' | 'gzip', body: Buffer): Buffer {
  return encoding === 'gzip' ? gzipSync(body, { level: 6 }) : brotliCompressSync(body, brotliOptions(body.length))
}

/**
 * Puts a compressor between the response and the socket once the headers are known (the
 * moment they are written), the way the `compression` package of Express does; a whole body up
 * to WHOLE_BODY_LIMIT is compressed at once instead.
 */
export function compressResponse(res: ServerResponse, method: string, encoding: 'br' | 'gzip' | null) {
  const writeHead = res.writeHead
  const write = res.write
  const end = res.end
  // Set once the headers say the body is compressed; the stream is made only when one is needed
  let compressing: { encoding: 'br' | 'gzip'; sizeHint: number } | null = null
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
    compressing = { encoding, sizeHint: length ?? 0 }
  }

  const startStream = ({ encoding: chosen, sizeHint }: { encoding: 'br' | 'gzip'; sizeHint: number }) => {
    const created = compressor(chosen, sizeHint)
    created.on('data', (chunk: Buffer) => {
      if ((write as any).call(res, chunk) === false) created.pause()
    })
    created.on('drain', () => res.emit('drain'))
    res.on('drain', () => created.resume())
    created.on('end', () => (end as any).call(res))
    return created
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
    if (!compressing) return (write as any).apply(res, [chunk, ...args])
    stream ??= startStream(compressing)
    return stream.write(chunk, ...(args as []))
  } as any

  res.end = function (chunk?: any, ...args: any[]) {
    if (!res.headersSent) {
      decide(byteLength(chunk))
      res.writeHead(res.statusCode)
    }
    if (!compressing) return (end as any).apply(res, [chunk, ...args])
    const whole = !stream && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) && byteLength(chunk) <= WHOLE_BODY_LIMIT
    if (whole) {
      const encodingArg = typeof args[0] === 'string' ? (args[0] as BufferEncoding) : 'utf8'
      const body = typeof chunk === 'string' ? Buffer.from(chunk, encodingArg) : chunk
      const callback = args.find((arg) => typeof arg === 'function')
      return (end as any).call(res, compressWhole(compressing.encoding, body), callback)
    }
    stream ??= startStream(compressing)
    if (typeof chunk === 'function') stream.end(chunk)
    else if (chunk === undefined || chunk === null) stream.end(...(args as []))
    else stream.end(chunk, ...(args as []))
    return res
  } as any
}

export default class CompressionMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (compressionEnabled()) {
      compressResponse(ctx.response.response, ctx.request.method(), negotiateEncoding(ctx.request.header('accept-encoding')))
    }
    return next()
  }
}
