import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { sellFor, submit } from '#tests/functional/backoffice/helpers'
import { dbTimestamp } from '#platform/db_time'

/*
| A count sheet is posted whole, often long after its first lines were counted. Each count was
| saved against the stock on hand at the save: a sale made after a product was counted and before
| the sheet was saved was still on the shelf when counted, so the count read as units found, and
| the approval put the sold units back into stock (a delivery in between was lost the same way).
| The sheet's page now says how long before the save each line was typed (typed[p<id>] and sent,
| by its own clock), and the count is compared with the stock of that moment: the stock now less
| what moved since.
*/

test.group('Stocktakes: sales while counting', () => {
  test('a sale between counting a product and saving the sheet stays sold; a shortage found is still posted', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', stock: 10 })
    const jam = await createProduct(fixture, { name: 'Jam', stock: 5 })
    const late = await createProduct(fixture, { name: 'Honey', stock: 7 })
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location
    const stocktakeId = Number(url.split('/').pop())
    // The sheet was opened ten minutes ago, the products stocked before (movements are dated to the second: the sales below come after)
    await db.from('stocktakes').where('id', stocktakeId).update({ created_at: dbTimestamp(new Date(Date.now() - 600_000)) })
    await db.from('stock_movements').whereIn('product_id', [tea.id, jam.id, late.id]).update({ created_at: dbTimestamp(new Date(Date.now() - 1_200_000)) })
    // Five minutes ago: 10 teas on the shelf (all there), 4 jams (one missing). Then sales, then the save
    await sellFor(fixture, [
      { product: tea, quantity: 2 },
      { product: jam, quantity: 1 },
      { product: late, quantity: 1 },
    ])
    const typedAt = 1_000_000
    const save = await submit(client, manager, 'post', url, {
      [`counted[p${tea.id}]`]: '10',
      [`typed[p${tea.id}]`]: String(typedAt),
      [`counted[p${jam.id}]`]: '4',
      [`typed[p${jam.id}]`]: String(typedAt),
      // Counted just now, after the sale: 6 honeys of the 6 on hand
      [`counted[p${late.id}]`]: '6',
      [`typed[p${late.id}]`]: String(typedAt + 300_000),
      sent: String(typedAt + 300_000),
    })
    save.assertStatus(302)
    const lines = await db.from('stocktake_lines').where('stocktake_id', stocktakeId).whereIn('product_id', [tea.id, jam.id, late.id]).orderBy('product_id').select('product_id', 'counted_at_stock')
    assert.deepEqual(
      lines.map((l) => [Number(l.product_id), Number(l.counted_at_stock)]),
      [
        [tea.id, 10],
        [jam.id, 5],
        [late.id, 6],
      ]
    )
    const sheet = await client.get(url).loginAs(manager)
    assert.notInclude(sheet.text(), `data-testid="variance-${tea.id}"`)
    assert.include(sheet.text(), `data-testid="variance-${jam.id}">-1<`)

    ;(await submit(client, manager, 'post', url, { [`counted[p${tea.id}]`]: '10', [`counted[p${jam.id}]`]: '4', [`counted[p${late.id}]`]: '6', approve: '1' })).assertStatus(302)
    // Before: the tea went back to 10 (2 sold units invented), the jam to 4 (its loss hidden by its sale)
    assert.deepEqual([await stockOf(tea.id), await stockOf(jam.id), await stockOf(late.id)], [8, 3, 6])
    assert.deepEqual([await ledgerSum(tea.id), await ledgerSum(jam.id), await ledgerSum(late.id)], [8, 3, 6])
  })

  test('a sheet sent without the typing times (no script) counts against the stock at its save, as before', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', stock: 10 })
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location
    await sellFor(fixture, [{ product: tea, quantity: 2 }])
    ;(await submit(client, manager, 'post', url, { [`counted[p${tea.id}]`]: '7', approve: '1' })).assertStatus(302)
    assert.equal(await stockOf(tea.id), 7)
    assert.equal(await ledgerSum(tea.id), 7)
  })
})
