import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { countRows, PASSWORD, stockOf, ledgerSum } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import { AppProcess, signIn } from '../faults/app_process.js'
import { lostAnswer, reviewOf } from './held_sales.js'

/*
| Recording a held sale (Back office -> Offline sales) with the server killed (SIGKILL) right after
| the sale's transaction committed, before the manager's browser got the answer
| (POS_FAULT=after_held_sale_commit, honoured only in tests). Started again on the same database,
| the form sent again records nothing more: it says the sale was recorded already, as its number.
*/

const PORT = Number(process.env.PORT ?? 3334) + 16
// The session in its cookie, as in production: it outlives the server
const SESSION = { SESSION_DRIVER: 'cookie' }

test.group('Offline sales: recording a held sale when the server dies before answering', (group) => {
  let app: AppProcess | null = null
  group.each.teardown(async () => {
    await app?.stop()
    app = null
  })

  test('killed after the commit: one sale; the form sent again says it is recorded already', async ({ client, assert }) => {
    const { fixture, tea, held } = await lostAnswer(client)
    const review = await reviewOf(held[0].client_uuid)
    app = await new AppProcess(PORT, SESSION).start({ POS_FAULT: 'after_held_sale_commit' })
    const jar = await signIn(app, fixture.users.manager.email, PASSWORD)
    const page = await fetch(`${app.url}/backoffice/offline/${review.id}`, { headers: { cookie: jar.header() } })
    jar.keep(page)
    assert.equal(page.status, 200)
    const csrf = /action="\/backoffice\/offline\/\d+\/record">\s*<input type='hidden' name='_csrf' value='([^']+)'/.exec(await page.text())![1]
    const record = () =>
      fetch(`${app!.url}/backoffice/offline/${review.id}/record`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': jar.header(), 'referer': `${app!.url}/backoffice/offline/${review.id}` },
        body: new URLSearchParams({ _csrf: csrf }),
      })

    const lost = await record().then(() => 'answered', () => 'connection lost')
    assert.equal(lost, 'connection lost')
    assert.equal(await app.ended(), 'SIGKILL')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, number: 2 }).first()
    assert.exists(sale, 'committed before the kill')
    assert.equal(Number((await reviewOf(held[0].client_uuid)).sale_id), Number(sale.id))

    // Started again: the manager sends the form again (a reload, Back and send)
    app = await new AppProcess(PORT, SESSION).start()
    const again = await record()
    jar.keep(again)
    assert.equal(again.status, 302)
    const shown = await fetch(`${app.url}/backoffice/offline/${review.id}`, { headers: { cookie: jar.header() } })
    const text = await shown.text()
    assert.include(text, 'This sale was recorded already, as #2')
    assert.match(text, /Recorded as <a href="\/backoffice\/sales\/\d+">#2<\/a>/)
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 2)
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_recorded', store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(tea.id), await ledgerSum(tea.id))
    for (const verdict of await verifyChains(fixture.store.id)) assert.isTrue(verdict.ok, verdict.problem ?? '')
  }).timeout(120_000)
})
