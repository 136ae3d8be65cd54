import { test } from '@japa/runner'
import { createStore, PASSWORD } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { FORM_FIELD_LIMIT } from '#platform/form_limits'

/*
| A form's body is parsed before anyone is known. Its limits were a stocktake sheet's (10,000 fields,
| 512 KB) for every form: about a fifth of a second of the server for one post to the login form,
| signed in or not. Only the sheet's route takes them now (app/platform/form_limits.ts); a sheet of
| 4,000 lines saved whole is tests/functional/stock/stocktake_big_sheet.spec.ts.
*/

/** A form of `count` fields, the sign-in's among them */
function manyFields(count: number, fields: Record<string, string>) {
  const body = { ...fields }
  for (let i = Object.keys(body).length; i < count; i++) body[`x${i}`] = ''
  return body
}

test.group('Form limits', () => {
  test('a sign-in form of 5,000 fields is refused whole with the 413 page, before anyone is signed in', async ({ client, assert }) => {
    const fixture = await createStore()
    const refused = await client
      .post('/login')
      .form(manyFields(5_000, { email: fixture.users.manager.email, password: PASSWORD }))
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(413)
    assert.include(refused.text(), `This form sent more than ${FORM_FIELD_LIMIT.toLocaleString('en-US')} fields`)
    // Not signed in by it
    const page = await client.get('/backoffice').redirects(0)
    page.assertHeader('location', '/login')
  })

  test('a form of 1,600 fields is read whole: a till return of a 500-line sale sends three a line', async ({ client }) => {
    const fixture = await createStore()
    const signedIn = await client
      .post('/login')
      .form(manyFields(1_600, { email: fixture.users.manager.email, password: PASSWORD }))
      .withCsrfToken()
      .redirects(0)
    signedIn.assertStatus(302)
    signedIn.assertHeader('location', '/')
  })

  test('a signed-in form other than a count sheet takes no more than the parser default either', async ({ client, assert }) => {
    const fixture = await createStore()
    const body: Record<string, string> = { reason: 'found' }
    for (let i = 0; i < 2_500; i++) body[`items[${i}][code]`] = ''
    const refused = await submit(client, fixture.users.manager, 'post', '/backoffice/stock/adjustments', body, '/backoffice/stock/adjustments/new')
    refused.assertStatus(413)
    assert.include(refused.text(), 'nothing of it was saved')
  })

  test('a sign-in form of 200 KB is refused with the 413 page (a count sheet takes 512 KB, other forms 128 KB)', async ({ client, assert }) => {
    const fixture = await createStore()
    const refused = await client
      .post('/login')
      .form({ email: fixture.users.manager.email, password: PASSWORD, note: 'x'.repeat(200_000) })
      .withCsrfToken()
      .redirects(0)
    refused.assertStatus(413)
    assert.include(refused.text(), 'nothing of it was saved')
  })
})
