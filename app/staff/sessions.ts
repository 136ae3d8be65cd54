import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type User from '#models/user'
import { identityChanged } from '#staff/identity_cache'
import { endStreamsOf } from '#platform/live_streams'

/*
| Ending sessions. A session is an encrypted cookie (sliding_cookie_store.ts), so there is no
| server-side copy to delete: a sign-out only cleared this browser's cookie, and a copy of it (a
| shared till, a stolen cookie) went on working. Each session now keeps its person's session
| version as it signed in (users.session_version, read with the user on every request anyway:
| identity_cache.ts); a sign-out, a new password and a deactivation add one to it, ending every
| session of that person signed in before, on every device. A session from before is one
| behind only once that happened. A counter, not a time: app servers' clocks may differ.
*/

const VERSION = 'session_version'
/** Set on a session that a PIN opened (Switch user at the till), taken off by a password */
const PIN_SESSION = 'signed_in_with_pin'

/**
 * Signs the person in on this browser, at their session version now (a row just read). `pin`: by
 * the 4-6 digits typed at a till (Switch user), which open the till only (tillOnlyRefuses)
 */
export async function signIn(ctx: HttpContext, user: User, how: 'password' | 'pin' = 'password') {
  await ctx.auth.use('web').login(user)
  ctx.session.put(VERSION, user.sessionVersion)
  if (how === 'pin') ctx.session.put(PIN_SESSION, true)
  else ctx.session.forget(PIN_SESSION)
}

/*
| A PIN opens the till, not the person's whole account. PINs are typed at the counter in front of
| colleagues and have 10,000 values: a cashier who saw the admin's switched in as the admin and
| had the back office (created an admin account of their own, downloaded the backups, pointed a
| payment plugin elsewhere). A session a PIN opened reaches the till and what it reads; anything
| else asks for the password (the sign-in form, which then opens the whole account as usual).
*/
const TILL_PATHS = /^\/(till(\/|$)|live\/stock$|__transmit\/|logout$|$)/

export function signedInWithPin(ctx: HttpContext) {
  return 'session' in ctx && ctx.session.get(PIN_SESSION) === true
}

/** Whether this request is past what a session opened by a PIN may reach */
export function tillOnlyRefuses(ctx: HttpContext) {
  return signedInWithPin(ctx) && !TILL_PATHS.test(ctx.request.url())
}

/**
 * Whether this browser's session signed in before its person's sessions were ended. Behind,
 * not different: a row kept a few seconds by another server (identity_cache.ts) may be older.
 */
export function sessionEnded(ctx: HttpContext, user: User) {
  return sessionDataEnded(ctx.session.all(), user)
}

/** sessionEnded, from a session's data as its store read it (session_peek.ts) */
export function sessionDataEnded(values: Record<string, unknown>, user: User) {
  return (Number(values[VERSION]) || 0) < user.sessionVersion
}

/** Ends every session of the person signed in until now: one more version, counted by the database */
export async function endSessions(user: User, client: QueryClientContract = db.connection()) {
  await client.from('users').where('id', user.id).increment('session_version', 1)
  endLiveStreams(user.id, client)
}

/**
 * Ends the person's live-update streams, here and (through Redis) on the other servers, once the
 * change is committed (a stream's page opening it again before that would still be let in). Their
 * pages open them again and subscribe as they may now: after a sign-out not at all, after being
 * taken off a store's staff not to that store's channels (start/live.ts), which a stream opened
 * before went on carrying.
 */
export function endLiveStreams(userId: number, client: QueryClientContract = db.connection()) {
  identityChanged(client, userId)
  if (client.isTransaction) (client as any).after('commit', () => endStreamsOf(userId))
  else endStreamsOf(userId)
}

/** This browser's session goes on after its person's sessions were ended (their own new password) */
export async function keepThisSession(ctx: HttpContext, user: User) {
  const row = await db.from('users').where('id', user.id).select('session_version').first()
  ctx.session.put(VERSION, Number(row?.session_version ?? 0))
}
