import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import * as abilities from '#abilities/main'

/** Route-level role check: `.use(middleware.can('manageProducts'))`. Fails with 403. */
export default class CanMiddleware {
  async handle(ctx: HttpContext, next: NextFn, ability: keyof typeof abilities) {
    await ctx.bouncer.authorize(ability)
    return next()
  }
}
