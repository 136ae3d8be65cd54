import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'

/*
| Ending sessions. A session is an encrypted cookie (sliding_cookie_store.ts), so there is no
| server-side copy to delete: a sign-out only cleared this browser's cookie, and a copy of it (a
| shared till, a stolen cookie) went on working. Each session now knows when it signed in, and a
| person's row when their sessions were last ended (users.sessions_ended_at): a sign-out, a new
| password and a deactivation end every session of that person signed in before, on every
| device. The row is read with the user on every request anyway (identity_cache.ts).
*/

const SIGNED_IN_AT = 'signed_in_at'

/** Signs the person in on this browser, from now on */
export async function signIn(ctx: HttpContext, user: User) {
  await ctx.auth.use('web').login(user)
  ctx.session.put(SIGNED_IN_AT, Date.now())
}

/** Whether this browser's session signed in before its person's sessions were ended */
export function sessionEnded(ctx: HttpContext, user: User) {
  if (!user.sessionsEndedAt) return false
  return (Number(ctx.session.get(SIGNED_IN_AT)) || 0) < user.sessionsEndedAt
}

/** Ends every session of the person signed in until now, once the user is saved */
export function endSessions(user: User) {
  user.sessionsEndedAt = Date.now()
}

/** This browser's session goes on after its person's sessions were ended (their own new password) */
export function keepThisSession(ctx: HttpContext, user: User) {
  if (user.sessionsEndedAt) ctx.session.put(SIGNED_IN_AT, user.sessionsEndedAt)
}
