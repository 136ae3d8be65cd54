import { readdirSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { publicAsset, sendStaticAsset } from '#platform/static_assets'

/*
| The files of public/, from memory, compressed once (app/platform/static_assets.ts), to the GET
| and HEAD requests that can name one. Only a path under one of public/'s own entries (css/,
| js/) can be such a file, so every other request goes straight on without a look at the file
| system. The entries are listed once, at the first GET (a deploy restarts; in development a new
| top-level folder of public/ needs a restart too).
*/

let entries: Set<string> | undefined

/** The first segment of a request's path: 'css' for /css/app.css */
function firstSegment(path: string) {
  const end = path.indexOf('/', 1)
  return end === -1 ? path.slice(1) : path.slice(1, end)
}

/** public/'s entries; undefined when it cannot be read now (asked again on the next request) */
function publicEntries() {
  try {
    return new Set(readdirSync(app.publicPath()))
  } catch {
    return undefined
  }
}

export default class StaticFilesMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const method = ctx.request.method()
    if (method !== 'GET' && method !== 'HEAD') return next()
    const path = ctx.request.url()
    entries ??= publicEntries()
    if (!entries?.has(firstSegment(path))) return next()
    const asset = publicAsset(path)
    if (!asset) return next()
    return sendStaticAsset(ctx, await asset)
  }
}
