import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { bulkProducts, formFields, typedSheet } from '#tests/functional/stock/sheet_helpers'

/*
| A save of a count sheet with bad counts on some lines. It was refused whole and went back to the
| sheet with the input flashed, but flashed input has a budget of 1,500 bytes (a session cookie):
| a manager who typed 400 counts and made one typo came back to the counts saved before, the 400
| lost. Now every good line is saved and the bad ones come back with their text and error.
*/

async function newSheet(client: any, lines: number) {
  const fixture = await createStore()
  await bulkProducts(fixture, lines)
  const manager = fixture.users.manager
  const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
  const stocktakeId = Number(url.split('/').pop())
  const fields = formFields((await client.get(url).loginAs(manager)).text(), url)
  const productIds = (await db.from('stocktake_lines').where('stocktake_id', stocktakeId).orderBy('product_id').select('product_id')).map((l) => Number(l.product_id))
  return { manager, url, stocktakeId, fields, productIds }
}

const countedOf = async (stocktakeId: number) =>
  new Map((await db.from('stocktake_lines').where('stocktake_id', stocktakeId).select('product_id', 'counted')).map((l) => [Number(l.product_id), l.counted === null ? null : Number(l.counted)]))

test.group('Stocktakes: a save with bad counts', () => {
  test('400 lines typed, one typo: the 399 are saved, the typo comes back in its field with its error', async ({ client, assert }) => {
    const sheet = await newSheet(client, 400)
    const typo = sheet.productIds[123]
    const body = typedSheet(sheet.fields, (productId) => (productId === typo ? '1O' : '4'))
    const answer = await submit(client, sheet.manager, 'post', sheet.url, body, sheet.url)
    answer.assertStatus(422)
    const lines = sheet.productIds.length
    assert.include(answer.text(), `${lines - 1} count(s) saved; 1 line(s) need fixing (marked below, not saved).`)
    assert.match(answer.text(), new RegExp(`name="counted\\[p${typo}\\]" value="1O"`))
    assert.include(answer.text(), `data-testid="count-error-${typo}">A count must be a whole number</p>`)
    // The typo's typing mark is kept (sent again, so the next save still knows when it was typed)
    assert.match(answer.text(), new RegExp(`name="typed\\[p${typo}\\]" value="\\d+">`))
    const counted = await countedOf(sheet.stocktakeId)
    assert.isNull(counted.get(typo))
    assert.equal([...counted.values()].filter((c) => c === 4).length, lines - 1)
  }).timeout(60_000)

  test('approving with a bad line saves the good ones and approves nothing; fixed, it approves', async ({ client, assert }) => {
    const sheet = await newSheet(client, 3)
    const [negative, huge] = sheet.productIds
    const body = typedSheet(sheet.fields, (productId) => (productId === negative ? '-3' : productId === huge ? '9999999' : '5'))
    body.approve = '1'
    const answer = await submit(client, sheet.manager, 'post', sheet.url, body, sheet.url)
    answer.assertStatus(422)
    assert.include(answer.text(), 'need fixing (marked below, not saved). The stocktake was not approved: approve it once every line is right.')
    assert.include(answer.text(), `data-testid="count-error-${negative}">A count cannot be negative</p>`)
    assert.include(answer.text(), `data-testid="count-error-${huge}">A count of 9999999 is not believable`)
    assert.equal((await db.from('stocktakes').where('id', sheet.stocktakeId).first()).status, 'counting')
    const counted = await countedOf(sheet.stocktakeId)
    assert.isNull(counted.get(negative))
    assert.isNull(counted.get(huge))
    assert.equal(counted.get(sheet.productIds[2]), 5)

    // The sheet as it came back, fixed and approved
    const fixed = typedSheet(formFields(answer.text(), sheet.url), (productId) => (productId === negative ? '0' : productId === huge ? '2' : '5'))
    fixed.approve = '1'
    const approved = await submit(client, sheet.manager, 'post', sheet.url, fixed, sheet.url)
    approved.assertStatus(302)
    assert.equal((await db.from('stocktakes').where('id', sheet.stocktakeId).first()).status, 'approved')
    assert.equal((await countedOf(sheet.stocktakeId)).get(huge), 2)
  })

  test('a save of only bad counts saves nothing and says so', async ({ client, assert }) => {
    const sheet = await newSheet(client, 2)
    const answer = await submit(client, sheet.manager, 'post', sheet.url, typedSheet(sheet.fields, () => '<b>x</b>'), sheet.url)
    answer.assertStatus(422)
    assert.include(answer.text(), `0 count(s) saved; ${sheet.productIds.length} line(s) need fixing`)
    // The bad text is shown as text, escaped
    assert.include(answer.text(), 'value="&lt;b&gt;x&lt;/b&gt;"')
    assert.notInclude(answer.text(), '<b>x</b>')
    assert.deepEqual([...new Set((await countedOf(sheet.stocktakeId)).values())], [null])
  })
})
