import { test } from '@japa/runner'
import { errors } from '@vinejs/vine'
import { setupValidator } from '#validators/setup'

/*
| The first-run setup refused a tax rate of 8.875123456 or 150 with "Enter the tax rate as a
| percentage, such as 8.25", which 8.875123456 already is: the shop owner could not tell that
| the decimals or the size were the trouble.
*/
const valid = { store_name: 'Corner Shop', currency: 'USD', time_zone: 'UTC', name: 'Owner', email: 'owner@example.com', password: 'long-enough-pass' }

async function taxRateMessage(taxRate: string) {
  try {
    await setupValidator.validate({ ...valid, tax_rate: taxRate })
  } catch (error) {
    if (error instanceof errors.E_VALIDATION_ERROR) return error.messages.find((m: any) => m.field === 'tax_rate')?.message
    throw error
  }
  return null
}

test.group('Setup: the tax rate refusal names the limits', () => {
  test('too many decimals and too large are each refused with the limits said', async ({ assert }) => {
    const expected = 'Enter the tax rate as a percentage below 100 with at most 4 decimals, such as 8.25'
    assert.equal(await taxRateMessage('8.875123456'), expected)
    assert.equal(await taxRateMessage('150'), expected)
    assert.equal(await taxRateMessage('-5'), expected)
    assert.isNull(await taxRateMessage('8.875'))
  })
})
