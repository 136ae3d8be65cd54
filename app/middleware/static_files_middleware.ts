import { readdirSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import StaticMiddleware from '@adonisjs/static/static_middleware'

/*
| The files of public/ (config/static.ts), served by AdonisJS's static middleware to the requests
| that can name one. That middleware looks every GET and HEAD up on the file system (an fs.stat,
| which goes through libuv's thread pool and back) and wraps every request, POSTs included, in a
| promise and a 'finish' listener before passing it on: a sixth of the server's CPU on a request
| as small as GET /health/live, and a few percent of a till's page loads and API reads. Only a
| path under one of public/'s own entries (css/, js/) can be such a file, so every other request
| goes straight on. The entries are listed once, at the first GET (a deploy restarts; in
| development a new top-level folder of public/ needs a restart too).
*/

let entries: Set<string> | undefined
let files: StaticMiddleware | undefined

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
    entries ??= publicEntries()
    if (!entries?.has(firstSegment(ctx.request.url()))) return next()
    files ??= await app.container.make(StaticMiddleware)
    return files.handle(ctx, next)
  }
}
