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

/*
| An unknown time zone or currency was said only once every other field passed: the check was in
| the setup service, after the validator. The validator says it with the other fields, at once.
*/
test.group('Setup: every refused field in one answer', () => {
  test('an unknown time zone and currency are refused beside a missing store name', async ({ assert }) => {
    let messages: any[] = []
    try {
      await setupValidator.validate({ ...valid, store_name: '', time_zone: 'Mars/Base', currency: 'XYZ' })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      messages = error.messages
    }
    assert.deepEqual(Object.fromEntries(messages.map((m) => [m.field, m.message])), {
      store_name: 'Enter the store name',
      time_zone: 'Unknown time zone: use a name such as Europe/Paris or America/New_York',
      currency: 'Unknown currency: use its three-letter code, such as USD or EUR',
    })
    // Known ones pass, whatever their case ("eur" was always taken as EUR)
    const ok = await setupValidator.validate({ ...valid, time_zone: 'Europe/Paris', currency: 'eur' })
    assert.deepEqual([ok.time_zone, ok.currency], ['Europe/Paris', 'EUR'])
  })
})
