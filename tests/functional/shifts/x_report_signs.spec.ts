import { test } from '@japa/runner'
import ShiftService from '#shifts/shift_service'
import { cashIntoDrawer, createStore } from '#tests/fixtures'

/*
| The X and Z report's drawer lines write what left the drawer with a minus: change given, cash
| refunds, cash out. Nothing left is $0.00, as the discounts and refunds beside them write it,
| not "−$0.00" (a minus before nothing reads as a sum gone out).
*/
test.group('Shift report: signs of the drawer lines', () => {
  test('nothing given back, refunded or paid out reads $0.00; something reads −$x', async ({ client, assert }) => {
    const fixture = await createStore()
    const shift = (await new ShiftService().current(fixture.store.id, fixture.register.id))!
    const empty = await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.manager)
    empty.assertStatus(200)
    for (const line of ['change-given', 'cash-refunds', 'cash-out']) assert.include(empty.text(), `data-testid="${line}">$0.00<`, line)

    await cashIntoDrawer(fixture, 2000)
    await new ShiftService().recordMovement({ user: fixture.users.manager, store: fixture.store }, shift.id, 'cash_out', 1250, 'Window cleaner')
    const paidOut = await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.manager)
    assert.include(paidOut.text(), 'data-testid="cash-out">−$12.50<')
  })
})
