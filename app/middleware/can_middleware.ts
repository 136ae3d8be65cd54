import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import * as abilities from '#abilities/main'

/** The abilities about the user alone (readShiftReport is about a shift too: its action checks it) */
type RouteAbility = Exclude<keyof typeof abilities, 'readShiftReport'>

/** Route-level role check: `.use(middleware.can('manageProducts'))`. Fails with 403. */
export default class CanMiddleware {
  async handle(ctx: HttpContext, next: NextFn, ability: RouteAbility) {
    await ctx.bouncer.authorize(ability)
    return next()
  }
}
