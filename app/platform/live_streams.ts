import type { ServerResponse } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import env from '#start/env'

/*
| One event stream per Transmit client. A page's client keeps its uid for the page's life and
| opens its stream again under it after a drop. Transmit keeps a client's subscriptions under its
| uid and, when a stream closes, deletes whatever the uid holds: so when the server noticed the old
| stream's close late (a half-open socket, a balancer holding its side open), after the new stream
| had registered under the same uid, that close deleted the NEW stream's entry. Its subscriptions
| (the page subscribing again) were then refused with a 400 and the page heard nothing until
| reloaded. @boringnode/transmit keeps that storage private; so here a new stream first ends the
| old one of its uid and waits for its close to be handled: the close removes only its own entry,
| and the new stream registers after it. The old stream is dead to the browser anyway (one client
| holds one stream at a time); ending it also stops broadcasts written into a dead socket.
*/

/*
| A uid belongs to the user who opened its stream: another signed-in user who learnt it could
| otherwise subscribe it to their channels, unsubscribe it, or end its stream (opening one under
| its uid). uids are random, so this is defence in depth, checked against the open stream only.
|
| Only this server's streams are known here, and that is enough with several app servers: Transmit
| keeps a uid's subscriptions beside its stream, in the memory of the server holding it, and a
| broadcast (through Redis) is written by each server to its own streams only. A user who sends
| another's uid to a server not holding its stream is refused there (a 400: no such stream) or,
| opening a stream under it, gets a stream of their own: subscribed, after Transmit's channel
| checks, by their own session, and hearing only that. The owner's stream elsewhere is untouched.
*/

/*
| At most LIVE_STREAMS_PER_USER streams of one signed-in user on one server. Each page holds one
| stream, under a new uid (a reload or another tab is a new uid), so one user could open any number
| of them, each a socket and its memory kept for as long as it stays open: a cashier's script could
| hold thousands. 50 by default: many stores sign every till in as one shared cashier, and a person
| adds a back-office page or two and a few reloads whose old stream the server has not seen close
| yet. The next is refused with a 429; a stream that closes frees its place, and a page opening its
| stream again under its own uid takes its old place (the old stream is ended first). Counted per
| server: with several, a user's streams are spread over them, and each server's memory is what is
| defended. Read at each stream, so a test can set it.
*/
const maxStreamsPerUser = () => Math.max(1, env.get('LIVE_STREAMS_PER_USER') ?? 50)

/** Seconds a page refused for too many streams waits before asking again (public/js/live.js) */
const STREAMS_RETRY_AFTER_S = 15

/** The open stream of each client uid on this server, and the user who opened it */
const streams = new Map<string, { response: ServerResponse; userId: number }>()

/** Closing a socket emits 'close' at once; past this a stuck one is not waited for */
const CLOSE_WAIT_MS = 2000

function ended(response: ServerResponse) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_WAIT_MS).unref()
    response.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    response.destroy()
  })
}

/** Does the user hold as many streams as they may on this server, not counting the uid's own? */
export function atStreamLimit(userId: number, uid?: unknown) {
  let open = 0
  for (const [heldUid, held] of streams) if (held.userId === userId && heldUid !== uid) open++
  return open >= maxStreamsPerUser()
}

/** 429: the user's other pages hold all the streams they may open here */
export function tooManyStreams(ctx: HttpContext) {
  ctx.response.header('Retry-After', String(STREAMS_RETRY_AFTER_S))
  const message = `This sign-in has ${maxStreamsPerUser()} pages with live updates open on this server already: close one, and this page is updated again within ${STREAMS_RETRY_AFTER_S} seconds`
  return ctx.response.tooManyRequests({ errors: [{ message, code: 'too_many_streams' }] })
}

const notYours = (ctx: HttpContext) => ctx.response.forbidden({ errors: [{ message: 'This live-update client is another user\u2019s', code: 'not_your_client' }] })

/**
 * Route middleware of GET /__transmit/events (start/live.ts), after the auth middleware: ends the
 * earlier stream of the same uid before Transmit registers this one; refuses (403) a uid whose
 * open stream is another user's, and (429) a stream past the user's LIVE_STREAMS_PER_USER here.
 */
export async function oneStreamPerClient(ctx: HttpContext, next: NextFn) {
  const uid = ctx.request.input('uid')
  // Transmit throws on a stream without one (a 500)
  if (typeof uid !== 'string' || !uid) {
    return ctx.response.badRequest({ errors: [{ message: 'Open the stream with the client\u2019s uid', code: 'invalid_uid', field: 'uid' }] })
  }
  const userId = ctx.auth.user!.id
  // Another stream of the uid may have come meanwhile (both waiting on the same old one): end it too
  for (let earlier = streams.get(uid); earlier; earlier = streams.get(uid)) {
    if (earlier.userId !== userId) return notYours(ctx)
    await ended(earlier.response)
    // Its close listener below has run by now; a stuck one is dropped from the map all the same
    if (streams.get(uid) === earlier) streams.delete(uid)
  }
  // Checked with nothing awaited before the stream is kept below: two opened at once count each other
  if (atStreamLimit(userId, uid)) return tooManyStreams(ctx)
  const held = { response: ctx.response.response, userId }
  // Gone already (the page left while its user was read, or while an earlier stream ended): its
  // 'close' has fired, and an entry made now would never be removed
  if (held.response.closed || ctx.request.request.destroyed) return
  streams.set(uid, held)
  held.response.once('close', () => {
    if (streams.get(uid) === held) streams.delete(uid)
  })
  return next()
}

/**
 * Route middleware of POST /__transmit/subscribe and /unsubscribe, after the auth middleware:
 * refuses (403) a uid whose open stream is another user's, and (400, at the field) a uid or a
 * channel that is not a text: Transmit threw on a missing channel or a list (a 500), and answered
 * a missing uid with an empty 400.
 */
export async function ownClientOnly(ctx: HttpContext, next: NextFn) {
  const uid = ctx.request.input('uid')
  const channel = ctx.request.input('channel')
  const refusals = [
    { field: 'uid', value: uid, message: 'Send the live-update client\u2019s uid' },
    { field: 'channel', value: channel, message: 'Name one channel, as a text' },
  ]
  for (const { field, value, message } of refusals) {
    if (typeof value !== 'string' || !value) return ctx.response.badRequest({ errors: [{ message, code: `invalid_${field}`, field }] })
  }
  const held = streams.get(uid)
  if (held && held.userId !== ctx.auth.user!.id) return notYours(ctx)
  return next()
}

/**
 * Ends the open streams of a user on this server: their sessions have ended (a sign-out, a new
 * password, a deactivation: app/staff/sessions.ts). A page in another tab went on hearing its
 * store until it next asked something. Its browser opens the stream again, meets the ended
 * session, and the page says "Signed out" (public/js/live.js); a session kept on (the person's
 * own new password) just opens its stream again.
 */
export function endStreamsOf(userId: number) {
  for (const held of streams.values()) if (held.userId === userId) held.response.destroy()
}
