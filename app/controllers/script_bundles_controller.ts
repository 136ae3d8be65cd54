import type { HttpContext } from '@adonisjs/core/http'
import { scriptBundle } from '#platform/script_bundles'
import { sendStaticAsset } from '#platform/static_assets'

/*
| The offline till's script and its service worker, built from the app's code on first use
| (app/platform/script_bundles.ts). Revalidated on each load (no-cache with an ETag): a till
| picks up a new version as soon as the server has one, and its service worker keeps the last
| one for when the server is out of reach.
*/
export default class ScriptBundlesController {
  async handle(ctx: HttpContext) {
    const pending = scriptBundle(ctx.params.file ?? 'till-sw.js')
    if (!pending) return ctx.response.notFound('')
    return sendStaticAsset(ctx, await pending)
  }
}
