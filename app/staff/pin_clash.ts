import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import { worksIn } from '#staff/store_access_service'

/**
 * Refuses adding people to a store's staff when one's PIN is the PIN of someone who works there
 * already, or of another person added with them: the till takes the first person a PIN matches, so
 * it would approve as the other (staff_service.ts checks the same when a PIN is set). PINs are
 * compared by their digest (users.pin_digest, models/user.ts): one set before digests were kept
 * cannot be compared here, and the till refuses a PIN that names two people (auth_service.ts).
 */
export async function checkPinsJoiningStore(trx: TransactionClientContract, storeId: number, userIds: number[], field = 'user_ids') {
  if (!userIds.length) return
  const joining = await trx.from('users').whereIn('id', userIds).whereNotNull('pin_digest').orderBy('name').select('id', 'name', 'pin_digest')
  if (!joining.length) return
  // Inactive people too: reactivated, they keep their PIN
  const staff = await worksIn(trx.from('users'), [storeId]).whereIn('pin_digest', joining.map((user) => user.pin_digest)).select('id', 'pin_digest')
  for (const user of joining) {
    const same = (other: { id: number; pin_digest: string }) => other.pin_digest === user.pin_digest && Number(other.id) !== Number(user.id)
    if (staff.some(same)) {
      throw new DomainError(`${user.name} has the same PIN as someone who works in this store: give them another PIN first, then add them`, { code: 'duplicate_pin', field })
    }
    const alongside = joining.find(same)
    if (alongside) {
      throw new DomainError(`${user.name} and ${alongside.name} have the same PIN: give one of them another PIN first, then add them`, { code: 'duplicate_pin', field })
    }
  }
}
