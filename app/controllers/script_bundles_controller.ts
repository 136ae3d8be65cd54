import type { HttpContext } from '@adonisjs/core/http'
import { scriptBundle } from '#platform/script_bundles'

/*
| The offline till's script and its service worker, built from the app's code on first use
| (app/platform/script_bundles.ts). Revalidated on each load (no-cache with an ETag): a till
| picks up a new version as soon as the server has one, and its service worker keeps the last
| one for when the server is out of reach.
*/
export default class ScriptBundlesController {
  async handle({ params, request, response }: HttpContext) {
    const pending = scriptBundle(params.file ?? 'till-sw.js')
    if (!pending) return response.notFound('')
    const bundle = await pending
    response.header('Content-Type', 'text/javascript; charset=utf-8')
    response.header('Cache-Control', 'no-cache')
    response.header('ETag', bundle.etag)
    response.header('Vary', 'Accept-Encoding')
    if (request.header('if-none-match') === bundle.etag) return response.status(304).send('')
    if (/\bgzip\b/.test(request.header('accept-encoding') ?? '')) {
      response.header('Content-Encoding', 'gzip')
      return response.send(bundle.gzipped)
    }
    return response.send(bundle.raw)
  }
}
