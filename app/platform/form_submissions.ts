import { randomUUID } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import { heldClaim } from '#platform/idempotency_claim'
import { claimOrFree, releaseOrLater, remember, requestHash, storedKey, takeOver, type KeyedRequest } from '#platform/idempotency_service'

/*
| A form posted twice writes once: a double click, the same form sent again from the back
| button or a reload, two tabs. Every form that writes something a second post would write
| again (a delivery, an adjustment, a transfer, a cash movement, a shift's close) carries a
| one-time key, made when the page is drawn (`submissionKey()` in Edge, the hidden field
| `_submission`). The key works as an API Idempotency-Key (idempotency_service.ts): claimed
| before the write, marked in the write's own transaction (idempotency_claim.ts), kept with
| where the answer went. The same key again goes where the first went, told it was recorded
| once; a refused form is drawn again with a new key, so its key is freed.
*/

const FORM_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A new one-time key for a form's `_submission` field */
export function submissionKey() {
  return randomUUID()
}

/**
 * Runs a form's write once per key; `write` answers where to send the browser. A form without a
 * key (an older page still open when the server was updated) runs as before.
 */
export async function submitOnce(ctx: HttpContext, write: () => Promise<string>): Promise<void> {
  const request = formRequest(ctx)
  if (!request) return ctx.response.redirect(await write())
  const token = (await claimOrFree(request)) ? request.token : await takeOver(request)
  if (!token) return sentBefore(ctx, request, write)
  let location: string
  try {
    location = await heldClaim.run({ userId: request.userId, key: request.key, token }, write)
  } catch (error) {
    await releaseOrLater(request, token)
    throw error
  }
  await remember(request, token, { status: 303, body: { location } })
  return ctx.response.redirect(location)
}

function formRequest(ctx: HttpContext): KeyedRequest | null {
  const key = ctx.request.input('_submission')
  if (typeof key !== 'string' || !FORM_KEY.test(key)) return null
  // The CSRF token may change between two posts of one form; what the form asked may not
  const { _csrf: _token, _submission: _key, ...fields } = ctx.request.body()
  const method = ctx.request.method()
  const path = ctx.request.url()
  return { userId: ctx.auth.user!.id, key: `form:${key}`, method, path, requestHash: requestHash(method, path, ctx.store?.id ?? null, fields), token: randomUUID() }
}

/** The key was sent before: wait (a few seconds at most) for that post's answer, and go where it went */
async function sentBefore(ctx: HttpContext, request: KeyedRequest, write: () => Promise<string>): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const first = await storedKey(request)
    // The first post was refused meanwhile (its key freed): this one runs on its own
    if (!first) return submitOnce(ctx, write)
    if (first.status_code !== null) {
      const location = JSON.parse(first.response_body).location
      if (first.request_hash === request.requestHash) {
        ctx.session.flash('notice', 'This form was sent twice: it was recorded once')
      } else {
        ctx.session.flashErrors({ E_FORM: 'This form was already sent, and recorded as it was then: open the form again to send another' })
      }
      return ctx.response.redirect(location)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  // Written, with no answer kept: the server that ran it stopped in between (its answer was lost),
  // or it is finishing. Either way it is recorded: sent on a new form it would be twice
  const first = await storedKey(request)
  if (first?.written_at) {
    ctx.session.flashErrors({ E_FORM: 'This form was recorded, but the page after it was lost: look at the list before sending it again' })
  } else {
    ctx.session.flashErrors({ E_FORM: 'This form is still being recorded: look again in a moment before sending it again' })
    // What was typed (a close's cash count) comes back with the form, not an empty one
    ctx.session.flashExcept(['_csrf', '_submission'])
  }
  return ctx.response.redirect().back()
}
