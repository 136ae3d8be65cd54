import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore, stockOf } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { SHEET_FORM_FIELD_LIMIT, SHEET_LINE_LIMIT } from '#platform/form_limits'
import { bulkProducts, formFields, typedSheet } from '#tests/functional/stock/sheet_helpers'

/*
| A big count sheet, posted as its page posts it. The form parser read 1,000 fields and dropped the
| rest without a word; each line sent two (its count, and when it was typed, even blank), so a sheet
| of 600 lines lost the counts of its last hundred lines and the Approve button's approve=1 (the
| last field): approving saved the cut-down sheet and approved nothing.
*/

// Well past the parser's default of 1,000 fields, and near a sheet's most (4,990): about 8,000
// fields and 200 KB once all typed, which only the sheet's route takes (form_limits.ts)
const LINES = 4_000

test.group('Stocktakes: a big sheet', () => {
  test('a sheet of 4,000 lines, every line typed, then approved: every count is saved and the approval is kept', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, LINES)
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const stocktakeId = Number(url.split('/').pop())
    const page = await client.get(url).loginAs(manager)
    const fields = formFields(page.text(), url)
    assert.equal(fields.filter(([name]) => name.startsWith('counted[')).length, LINES)
    // Every line typed (4 found of 5): its count, and its page's script enables and sets its typing mark
    const body = typedSheet(fields, () => '4')
    // The submitter's name and value come last
    body.approve = '1'
    const approve = await submit(client, manager, 'post', url, body)
    approve.assertStatus(302)
    assert.equal(approve.flashMessages().notice, `Stocktake approved: ${LINES} variance(s) posted`)
    const lines = await db.from('stocktake_lines').where('stocktake_id', stocktakeId).select('counted', 'variance')
    assert.lengthOf(lines, LINES)
    assert.deepEqual([...new Set(lines.map((l) => `${l.counted}/${l.variance}`))], ['4/-1'])
    assert.equal((await db.from('stocktakes').where('id', stocktakeId).first()).status, 'approved')
    const last = await db.from('products').where('store_id', fixture.store.id).orderBy('id', 'desc').first()
    assert.equal(await stockOf(last.id), 4)
  }).timeout(120_000)

  test('the page sends a typing mark only for the lines typed', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 3)
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const fields = formFields((await client.get(url).loginAs(manager)).text(), url)
    const marks = fields.filter(([name]) => name.startsWith('typed['))
    assert.lengthOf(marks, 3)
    assert.isTrue(marks.every(([, , disabled]) => disabled))
  })

  test('a form of more fields than the parser reads is refused whole with a 413 that says why, not cut short', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 2)
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const stocktakeId = Number(url.split('/').pop())
    const product = await db.from('products').where('store_id', fixture.store.id).orderBy('id').first()
    const body: Record<string, string> = { [`counted[p${product.id}]`]: '3' }
    for (let i = 0; i < SHEET_FORM_FIELD_LIMIT; i++) body[`x${i}`] = ''
    body.approve = '1'
    const refused = await submit(client, manager, 'post', url, body)
    refused.assertStatus(413)
    assert.include(refused.text(), 'nothing of it was saved')
    const stocktake = await db.from('stocktakes').where('id', stocktakeId).first()
    assert.equal(stocktake.status, 'counting')
    assert.isNull((await db.from('stocktake_lines').where({ stocktake_id: stocktakeId, product_id: product.id }).first()).counted)
  }).timeout(60_000)

  test('a form body over the size limit is refused with a 413 that says why', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 1)
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const refused = await submit(client, manager, 'post', url, { note: 'x'.repeat(2_200_000) })
    refused.assertStatus(413)
    assert.include(refused.text(), 'nothing of it was saved')
  })

  test('a sheet too big for the form is refused when it is made, on its field, with what to do', async ({ client, assert }) => {
    const fixture = await createStore()
    // The fixture's own products and these: one more than a sheet takes
    const own = Number((await db.from('products').where('store_id', fixture.store.id).whereNull('archived_at').count('* as n').first()).n)
    await bulkProducts(fixture, SHEET_LINE_LIMIT + 1 - own)
    const refused = await submit(client, fixture.users.manager, 'post', '/backoffice/stock/stocktakes', {})
    refused.assertStatus(302)
    assert.include(refused.flashMessages().inputErrorsBag.category_id[0], 'count one category at a time')
    assert.equal(await db.from('stocktakes').where('store_id', fixture.store.id).count('* as n').first().then((row: any) => Number(row.n)), 0)
  }).timeout(60_000)

  test('a sheet arriving with fewer lines than it has is refused whole, saying so, with the counts that arrived back in their fields', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 3)
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const stocktakeId = Number(url.split('/').pop())
    const lines = await db.from('stocktake_lines').where('stocktake_id', stocktakeId).orderBy('product_id').select('product_id')
    const body = { whole_sheet: '1', [`counted[p${lines[0].product_id}]`]: '3', [`counted[p${lines[1].product_id}]`]: '7', approve: '1' }
    const refused = await submit(client, manager, 'post', url, body, url)
    refused.assertStatus(422)
    assert.include(refused.text(), `Only 2 of this sheet&#x27;s ${lines.length} lines arrived (the form was cut short on its way): nothing of it was saved.`)
    assert.include(refused.text(), 'shown again below, not saved')
    assert.match(refused.text(), new RegExp(`name="counted\\[p${lines[1].product_id}\\]" value="7"`))
    assert.equal((await db.from('stocktakes').where('id', stocktakeId).first()).status, 'counting')
    assert.equal(Number((await db.from('stocktake_lines').where('stocktake_id', stocktakeId).whereNotNull('counted').count('* as n').first()).n), 0)
  })
})
