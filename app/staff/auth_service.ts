import logger from '@adonisjs/core/services/logger'
import hash from '@adonisjs/core/services/hash'
import { errors as authErrors } from '@adonisjs/auth'
import { DateTime } from 'luxon'
import User, { pinDigest } from '#models/user'
import { worksIn } from '#staff/store_access_service'
import { DomainError } from '#exceptions/domain_error'
import { recordAudit } from '#platform/audit_service'
import { penalize, penalizeAll } from '#platform/rate_limits'

/*
| Signing in, with rate limits: 5 failed passwords for one email from one address within
| 15 minutes block that pair for 15 minutes (429); 5 wrong PINs on one till for one person (a
| switch to that user) or for a manager's approval block that entry there for 5 minutes. Each has
| its own count, which only its own right PIN clears: with one count per till, a cashier could
| try four PINs of the manager, type their own to clear it, and go on without end.
| A PIN has 10,000 values, and guesses spread over addresses (each client address behind the
| store's proxy counts apart) were never refused: a cashier found a manager's PIN through the API
| and refunded cash without a receipt. So the wrong PINs typed under one signed-in person's session
| or token (whoever's PIN they were for) are also counted across every address: 10 within 15
| minutes block that person's PIN entries for 15 minutes, and 40 within a day for an hour at a
| time (about 60 guesses a day at most, not 960). Counted by the one asking, not by the PIN
| asked for: counted by the PIN, any cashier could block every manager approval of the store (or
| a colleague's Switch user) by typing wrong ones. A right PIN does not clear these counts (the
| guesser switching to themselves would start afresh). Failures are logged and audited.
*/

const loginLimit = { requests: 5, duration: '15 mins', blockDuration: '15 mins' }
const pinLimit = { requests: 5, duration: '5 mins', blockDuration: '5 mins' }
const pinLimitPerAsker = { requests: 10, duration: '15 mins', blockDuration: '15 mins' }
const pinLimitPerAskerDaily = { requests: 40, duration: '24 hours', blockDuration: '1 hour' }

export default class AuthService {
  async attemptLogin(email: string, password: string, ip: string): Promise<User> {
    const key = `login:${email.toLowerCase()}:${ip}`
    const [error, user] = await penalize(loginLimit, key, async () => {
      try {
        const user = await User.verifyCredentials(email.toLowerCase(), password)
        // MariaDB's collation (utf8mb4_unicode_ci) finds cashier@… for cáshier@… or çashier@…,
        // and this block counts per email as typed: each such spelling was 5 more guesses, without
        // end. Only the account's own email signs in to it (in any case: the block's key is lower-cased
        // too, and a row written in capitals before emails were lower-cased still signs in).
        if (user.email.toLowerCase() !== email.toLowerCase()) throw new authErrors.E_INVALID_CREDENTIALS('Invalid user credentials')
        return user
      } catch (failure) {
        logger.warn({ email, ip }, 'failed login')
        await recordAudit({ action: 'login_failed', ...(await whoseEmail(email)), data: { email }, ip })
        throw failure
      }
    })
    if (error) {
      logger.warn({ email, ip }, 'login blocked after repeated failures')
      await recordAudit({ action: 'login_blocked', ...(await whoseEmail(email)), data: { email }, ip })
      throw error
    }
    if (!user.active) {
      await recordAudit({ action: 'login_failed', userId: user.id, storeId: user.storeId, data: { email, reason: 'inactive' }, ip })
      throw new authErrors.E_INVALID_CREDENTIALS('This account is disabled')
    }
    user.lastLoginAt = DateTime.utc()
    await user.save()
    await recordAudit({ action: 'login', userId: user.id, storeId: user.storeId, ip })
    return user
  }

  /**
   * Checks a PIN entered on a till. With a user, it must be that user's PIN (switch user);
   * without, it must belong to a manager or admin of the store (approvals such as a price override).
   */
  async verifyPin(storeId: number, pin: string, ip: string, options: { askedBy: number; userId?: number; managerOnly?: boolean; field?: string }) {
    // The form's or body's name for the PIN: manager_pin on returns and the API's refunds
    const field = options.field ?? 'pin'
    if (!/^\d{4,6}$/.test(pin)) {
      throw new DomainError('A PIN is 4 to 6 digits', { code: 'invalid_pin', field })
    }
    if (!options.userId && !options.managerOnly) throw new Error('verifyPin needs the user switched to, or managerOnly')
    const whom = options.userId ?? 'approval'
    const counts = [
      { options: pinLimit, key: `pin:${storeId}:${ip}:${whom}`, clearedBySuccess: true },
      { options: pinLimitPerAsker, key: `pin-asked-by:${options.askedBy}`, clearedBySuccess: false },
      { options: pinLimitPerAskerDaily, key: `pin-asked-by-daily:${options.askedBy}`, clearedBySuccess: false },
    ]
    const [error, user] = await penalizeAll(counts, async () => {
      // Everyone who works in the store (a manager added to a second store's staff approves there
      // too), narrowed to whom the PIN is asked for. Every one of them is checked, a match or not:
      // the time an answer takes says nothing about whose PIN a wrong guess was
      const candidates = await worksIn(User.query(), [storeId])
        .where('active', true)
        .whereNotNull('pin')
        .if(options.userId, (q) => q.where('id', options.userId!))
        .if(options.managerOnly, (q) => q.whereIn('role', ['admin', 'manager']))
      const matches = await matching(candidates, pin)
      if (matches.length) {
        const digest = await pinDigest(pin)
        // A PIN set before digests were kept gets its digest now, as it is typed (refused or not:
        // its hash matched), so it compares from now on
        const stale = matches.filter((user) => user.pinDigest !== digest).map((user) => user.id)
        if (stale.length) await User.query().whereIn('id', stale).update({ pin_digest: digest })
        // A PIN that is two people's (set before PINs were compared across a store, or across
        // stores: pin_clash.ts) would approve in the wrong one's name, or let one switch in as the
        // other: refused either way, without saying whose it also is. Found by the digests: a PIN
        // set before they were kept compares once it is typed or set again
        if (matches.length > 1 || (await sharedWithOthers(storeId, matches[0].id, digest))) {
          await recordAudit({ action: 'pin_failed', storeId, userId: options.userId ?? null, data: { reason: 'pin_ambiguous' }, ip })
          throw new DomainError('This PIN cannot be used at the till: an admin must set a new one', { status: 409, code: 'pin_ambiguous', field })
        }
        return matches[0]
      }
      await recordAudit({ action: 'pin_failed', storeId, userId: options.userId ?? null, ip })
      throw new DomainError(options.managerOnly ? 'That is not a manager\u2019s PIN' : 'Wrong PIN', {
        status: 422,
        code: 'wrong_pin',
        field,
      })
    })
    if (error) {
      logger.warn({ storeId, ip }, 'PIN entry blocked after repeated failures')
      // Said where the PIN is typed, with the wait ("Too many requests" named neither)
      const seconds = Math.max(1, Math.ceil(error.response.availableIn))
      const wait = seconds >= 60 ? `${Math.ceil(seconds / 60)} minute(s)` : `${seconds} second(s)`
      throw new DomainError(`Too many wrong PINs: try again in ${wait}`, { status: 429, code: 'too_many_attempts', field, retryAfter: seconds })
    }
    return user
  }
}

/** The people among `candidates` whose PIN this is */
async function matching(candidates: User[], pin: string) {
  const found: User[] = []
  for (const candidate of candidates) if (await hash.verify(candidate.pin!, pin)) found.push(candidate)
  return found
}

/** Whether someone else active in the store has this PIN, by its digest (one set before digests were kept has none) */
async function sharedWithOthers(storeId: number, userId: number, digest: string) {
  const other = await worksIn(User.query(), [storeId]).where('active', true).whereNotNull('pin').where('pin_digest', digest).whereNot('users.id', userId).first()
  return !!other
}

/**
 * The user and home store a failed sign-in names, for the audit log: only that store's admins see
 * it. An unknown email names no store, and every admin sees it (audit_log_service.ts).
 */
async function whoseEmail(email: string): Promise<{ userId?: number; storeId?: number | null }> {
  const user = await User.findBy('email', email.toLowerCase())
  return user ? { userId: user.id, storeId: user.storeId } : {}
}
