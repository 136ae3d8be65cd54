import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import StoreAccessService from '#staff/store_access_service'
import { recordAudit } from '#platform/audit_service'
import { textId } from '#validators/fields'

const switchValidator = vine.create({ store_id: textId() })

/** Managers and admins switch the store their pages work on (the route checks switchStore) */
export default class StoreSwitchController {
  async handle(ctx: HttpContext) {
    const { store_id: storeId } = await ctx.request.validateUsing(switchValidator)
    const user = ctx.auth.user!
    await new StoreAccessService().switchTo(ctx, user, storeId)
    await recordAudit({ action: 'store_switched', storeId, userId: user.id, data: { from: ctx.store.id }, ip: ctx.request.ip() })
    // The till's register belongs to the old store: the till asks for one of the new store
    const back = ctx.request.header('referer') ?? '/'
    return ctx.response.redirect(new URL(back, 'http://x').pathname.startsWith('/till') ? '/till' : '/backoffice')
  }
}
