import type { HttpContext } from '@adonisjs/core/http'
import { sendStaticAsset, vendoredAsset } from '#platform/static_assets'

/*
| htmx and Alpine are served straight from their npm packages (no copy in the repo, no build
| step), compressed once in memory (app/platform/static_assets.ts): the till's first page stays
| small on a slow shop network.
*/
export default class VendorAssetsController {
  async handle(ctx: HttpContext) {
    const asset = vendoredAsset(ctx.params.file)
    if (!asset) return ctx.response.notFound('')
    return sendStaticAsset(ctx, await asset)
  }
}
