/*
| Live updates (Transmit, server-sent events): the routes under /__transmit, who may listen to
| which channel, and the listeners that turn domain events into broadcasts.
*/
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import transmit from '@adonisjs/transmit/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { broadcastRefund, broadcastSale, broadcastStock, resyncConnectedPages } from '#platform/live_updates_service'
import { onBroadcastsMissed } from '#platform/live_transport'
import { atStreamLimit, oneStreamPerClient, ownClientOnly, tooManyStreams } from '#platform/live_streams'

// Signed-in users only; the store comes from the auth middleware (ctx.store). A stream that comes
// back under its client's uid first ends the earlier one; a uid whose open stream is another
// user's is refused, and so is a user's stream past the few pages a person has open
// (app/platform/live_streams.ts)
transmit.registerRoutes((route) => {
  route.use(middleware.auth({ guards: ['web'] }))
  route.use(route.getPattern().endsWith('__transmit/events') ? oneStreamPerClient : ownClientOnly)
  if (route.getPattern().endsWith('__transmit/subscribe')) route.use(currentStoreOnly)
})

/** The only channels anything is broadcast on (app/platform/live_updates_service.ts) */
// A store id as the app writes it: "stores/07/stock" (any number of zeros) was the same store's
// channel to the checks below, yet a new name for Transmit to keep
const STORE_CHANNEL = /^stores\/([1-9]\d{0,9})\/(stock|sales)$/

/**
 * A subscription is to a store's channel, or refused (400): Transmit took any text as a channel
 * and kept it for the stream's life, so a signed-in page could hold any number of them, each up
 * to a body's size, in the server's memory.
 * A page whose store was switched in another tab (its session works in another store now) asks
 * for its old store's channels when its stream comes back: Transmit's bare 400 was asked again
 * every 30 s for as long as the page stayed open. A 409 `store_changed` tells the page, which
 * stops listening and says so once (public/js/live.js): its figures are the old store's.
 */
async function currentStoreOnly(ctx: HttpContext, next: NextFn) {
  const storeId = STORE_CHANNEL.exec(String(ctx.request.input('channel') ?? ''))?.[1]
  if (!storeId) return ctx.response.badRequest({ errors: [{ message: 'No such live-update channel', code: 'invalid_channel', field: 'channel' }] })
  if (ctx.store && Number(storeId) !== ctx.store.id) {
    return ctx.response.conflict({ errors: [{ message: 'This page is of another store than the one you work in now: reload it', code: 'store_changed', field: 'channel' }] })
  }
  return next()
}

// Is the page's session still on? live.js asks when its stream was answered with an error (a
// browser tells no status): 204 goes on retrying, the 401 of an ended session stops it, and the
// 429 of a user whose other pages (not counting this page's uid) hold all their streams here makes
// it wait Retry-After and say why
router
  .get('/__transmit/signed-in', (ctx) => (atStreamLimit(ctx.auth.user!.id, ctx.request.input('uid')) ? tooManyStreams(ctx) : ctx.response.noContent()))
  .use(middleware.auth({ guards: ['web'] }))

// A store's channels are for the people working in that store, nobody else
const sameStore = (ctx: HttpContext, params: { id: string }) => !!ctx.store && ctx.store.id === Number(params.id)
transmit.authorize<{ id: string }>('stores/:id/stock', sameStore)
transmit.authorize<{ id: string }>('stores/:id/sales', sameStore)

const logged = (work: Promise<unknown>) => work.catch((error) => logger.error({ err: error }, 'A live update failed'))
emitter.on('stock:changed', (event) => logged(broadcastStock(event)))
emitter.on('sale:completed', (event) => logged(broadcastSale(event)))
emitter.on('sale:refunded', (event) => logged(broadcastRefund(event)))

// Other servers' broadcasts lost while this one's Redis subscription was down: its pages read again
onBroadcastsMissed(resyncConnectedPages)
