import { test } from '@japa/runner'
import { mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import { pluginHost } from '#plugins/host'
import { unreadableSecrets } from '#plugins/settings'
import { dbTimestamp } from '#platform/db_time'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { pluginRegistry } from '#plugins/registry'
import { createProduct, createStore, countRows } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { EXTRA, FIXTURES, SHIPPED, eventually, pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'

const PAGE = '/backoffice/plugins'

async function audits(action: string, storeId: number) {
  return db.from('audit_logs').where({ action, subject_type: 'plugin', store_id: storeId }).orderBy('id', 'desc').select('user_id', 'data')
}

async function hasTable(name: string) {
  return db.connection().schema.hasTable(name)
}

test.group('Plugins: discovery and the settings page', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('every plugin is listed with its state, version and what it provides; bad manifests say what is wrong', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const page = await client.get(PAGE).loginAs(fixture.users.admin)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, 'Hello')
    assert.include(html, 'Greets every completed sale')

    const problems = (id: string) => pluginHost.get(id).problems.join(' | ')
    assert.equal(pluginHost.get('hello').state, 'available')
    assert.deepEqual(pluginHost.get('hello').problems, [])
    assert.equal(pluginHost.get('broken-manifest').state, 'invalid')
    assert.include(problems('broken-manifest'), '"name" is missing')
    assert.include(problems('broken-manifest'), '"author" is missing')
    assert.include(problems('broken-manifest'), '"id" must be lower-case letters, digits and dashes (got "Broken_Manifest")')
    assert.include(problems('broken-manifest'), '"version" must be a semantic version such as 1.0.0 (got "one")')
    assert.include(problems('broken-manifest'), '"core" is not a version range (got "not a range")')
    assert.include(problems('broken-manifest'), '"provides" has an unknown extension point "teleport"')
    assert.include(problems('broken-manifest'), 'setting "x" has no label')
    assert.include(problems('broken-manifest'), 'setting "x" has an unknown type "colour"')
    // A default the field's type cannot hold reached the plugin as it was (the text "ten" for a number)
    assert.include(problems('broken-manifest'), 'setting "rate": the default must be a number (got "ten")')
    assert.include(problems('broken-manifest'), 'setting "mode": the default must be one of the options (slow) (got "fast")')
    assert.include(problems('broken-manifest'), 'setting "on": the default must be true or false (got "yes")')
    assert.equal(problems('no-entry'), 'the entry file index.ts does not exist')
    assert.equal(problems('bad-core'), `needs core >=99.0.0, but this POS is version ${pluginHost.coreVersion}`)
    // The page shows the problems (escaped) and offers no Enable button for them
    assert.include(html, 'the entry file index.ts does not exist')
    assert.include(html, 'needs core &gt;=99.0.0')
    assert.notInclude(html, 'aria-label="Enable Bad core"')
    assert.include(html, 'aria-label="Enable Hello"')

    // Enabling an invalid plugin is refused with the reason
    const refused = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/bad-core/enable').header('referer', PAGE)
    refused.assertStatus(302)
    assert.match(refused.flashMessage('inputErrorsBag').form[0], /cannot be used: needs core >=99\.0\.0/)
    const shown = await client.get(PAGE).withFlashMessages(refused.flashMessages()).loginAs(fixture.users.admin)
    assert.include(shown.text(), 'cannot be used: needs core &gt;=99.0.0')
    assert.equal(pluginHost.get('bad-core').state, 'invalid')
  })

  test('two folders with the same id are both refused; Rescan finds a new root and is audited', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    useFolders([SHIPPED, FIXTURES, EXTRA])
    assert.equal(pluginHost.get('hello').state, 'invalid')
    assert.match(pluginHost.get('hello').problems.join(), /the id "hello" is used by two folders/)

    useFolders([SHIPPED])
    assert.isUndefined(pluginHost.find('hello'))
    pluginHost.setRoots([SHIPPED, FIXTURES])
    const rescan = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/rescan')
    rescan.assertStatus(302)
    assert.equal(pluginHost.get('hello').state, 'available')
    const [entry] = await audits('plugins_rescanned', fixture.store.id)
    assert.equal(entry.user_id, fixture.users.admin.id)
  })

  test('only an admin of every store reaches the page and its actions; the nav shows the link to them only', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    for (const role of ['manager', 'cashier', 'accountant'] as const) {
      const user = fixture.users[role]
      ;(await client.get(PAGE).loginAs(user)).assertStatus(403)
      ;(await client.get('/backoffice/plugins/hello/settings').loginAs(user)).assertStatus(403)
      ;(await pluginPost(client, user, '/backoffice/plugins/hello/enable')).assertStatus(403)
      ;(await pluginPost(client, user, '/backoffice/plugins/hello/settings', { greeting: 'Hacked' })).assertStatus(403)
      ;(await pluginPost(client, user, '/backoffice/plugins/rescan')).assertStatus(403)
    }
    assert.equal(pluginHost.get('hello').state, 'available')
    assert.equal(await countRows('plugin_settings', { plugin_id: 'hello' }), 0)

    // Without the CSRF token even an admin is refused
    const noToken = await client.post('/backoffice/plugins/hello/enable').form({}).loginAs(fixture.users.admin).redirects(0)
    assert.notEqual(noToken.header('location'), PAGE)
    assert.equal(pluginHost.get('hello').state, 'available')

    const managerDash = await client.get('/backoffice').loginAs(fixture.users.manager)
    assert.notInclude(managerDash.text(), 'href="/backoffice/plugins"')
    const adminDash = await client.get('/backoffice').loginAs(fixture.users.admin)
    assert.include(adminDash.text(), 'href="/backoffice/plugins"')

    // An admin of one store only: the plugins are every store's, so neither the page, its
    // actions nor the link
    const storeAdmin = (await createStore()).users.admin
    ;(await client.get(PAGE).loginAs(storeAdmin)).assertStatus(403)
    ;(await pluginPost(client, storeAdmin, '/backoffice/plugins/hello/settings', { greeting: 'Hacked' })).assertStatus(403)
    ;(await pluginPost(client, storeAdmin, '/backoffice/plugins/hello/enable')).assertStatus(403)
    assert.equal(pluginHost.get('hello').state, 'available')
    assert.equal(await countRows('plugin_settings', { plugin_id: 'hello' }), 0)
    assert.notInclude((await client.get('/backoffice').loginAs(storeAdmin)).text(), 'href="/backoffice/plugins"')
  })

  test('enabling runs the plugin migrations and setup without a restart; its listener sees sale:completed; disabling keeps its data', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const product = await createProduct(fixture, { price: 500 })
    const enable = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/hello/enable')
    enable.assertStatus(302)
    enable.assertHeader('location', PAGE)
    assert.equal(pluginHost.get('hello').state, 'enabled')
    assert.isTrue(await hasTable('hello_greetings'))
    assert.equal(await countRows('plugin_migrations', { plugin_id: 'hello', name: '0001_create_hello_greetings' }), 1)
    const [enabled] = await audits('plugin_enabled', fixture.store.id)
    assert.equal(enabled.user_id, fixture.users.admin.id)
    assert.include(JSON.stringify(enabled.data), 'hello')

    const sale = await sellFor(fixture, [{ product, quantity: 1 }])
    const greeting = await eventually(() => db.from('hello_greetings').where('sale_id', sale.id).first())
    assert.equal(greeting.greeting, `Hello #${sale.number}`)

    const disable = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/hello/disable')
    disable.assertStatus(302)
    assert.equal(pluginHost.get('hello').state, 'available')
    assert.equal((await audits('plugin_disabled', fixture.store.id))[0].user_id, fixture.users.admin.id)
    const second = await sellFor(fixture, [{ product, quantity: 1 }])
    // The table and its rows stay; the next sale is no longer greeted
    assert.isTrue(await hasTable('hello_greetings'))
    assert.equal(await countRows('hello_greetings', { sale_id: sale.id }), 1)
    await sellFor(fixture, [{ product, quantity: 1 }])
    assert.equal(await countRows('hello_greetings', { sale_id: second.id }), 0)

    // Enabled again: the migration is not run twice
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/hello/enable')).assertStatus(302)
    assert.equal(pluginHost.get('hello').state, 'enabled')
    assert.equal(await countRows('plugin_migrations', { plugin_id: 'hello' }), 1)
  })

  test('settings: generated form, errors on the field, secrets stored encrypted and never shown again, audited without values', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const admin = fixture.users.admin
    const form = await client.get('/backoffice/plugins/hello/settings').loginAs(admin)
    form.assertStatus(200)
    assert.include(form.text(), 'id="field-greeting"')
    assert.include(form.text(), 'value="Hello"')
    assert.include(form.text(), 'type="password"')

    const tooLong = await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'x'.repeat(41), api_key: 'sk-live-123' })
    tooLong.assertStatus(302)
    tooLong.assertHeader('location', '/backoffice/plugins/hello/settings')
    assert.deepEqual(tooLong.flashMessage('inputErrorsBag'), { greeting: ['Greeting must be at most 40 characters'] })
    // The typed secret is not flashed back into the form
    assert.notInclude(JSON.stringify(tooLong.flashMessages()), 'sk-live-123')
    const reopened = await client.get('/backoffice/plugins/hello/settings').withFlashMessages(tooLong.flashMessages()).loginAs(admin)
    assert.include(reopened.text(), 'id="field-greeting-error"')
    assert.equal(await countRows('plugin_settings', { plugin_id: 'hello' }), 0)
    // A pasted novel comes back cut, in a session cookie a browser keeps (as every form's)
    const novel = await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Lorem ipsum '.repeat(900), api_key: '' })
    for (const cookie of [novel.headers()['set-cookie'] ?? []].flat()) assert.isBelow(Buffer.byteLength(String(cookie)), 4096)
    assert.property(novel.flashMessage('inputErrorsBag'), 'greeting')
    assert.equal(novel.flashMessages().greeting, 'Lorem ipsum '.repeat(900).slice(0, 120))

    const saved = await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Bonjour', api_key: 'sk-live-123' })
    saved.assertStatus(302)
    saved.assertHeader('location', PAGE)
    const stored = await db.from('plugin_settings').where({ plugin_id: 'hello', key: 'api_key' }).first()
    assert.isTrue(!!Number(stored.encrypted))
    assert.notInclude(stored.value, 'sk-live-123')
    assert.equal(encryption.decrypt(stored.value), 'sk-live-123')
    const page = await client.get('/backoffice/plugins/hello/settings').loginAs(admin)
    assert.notInclude(page.text(), 'sk-live-123')
    assert.include(page.text(), 'Set — leave empty to keep it')
    assert.include(page.text(), 'value="Bonjour"')

    // A blank secret keeps the stored one
    await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Hi', api_key: '' })
    assert.equal((await pluginHost.settingsOf('hello')).api_key, 'sk-live-123')
    assert.equal((await pluginHost.settingsOf('hello')).greeting, 'Hi')


    const entries = await audits('plugin_configured', fixture.store.id)
    assert.lengthOf(entries, 2)
    assert.notInclude(JSON.stringify(entries), 'sk-live-123')
    assert.deepEqual(JSON.parse(typeof entries[1].data === 'string' ? entries[1].data : JSON.stringify(entries[1].data)).changed, ['greeting', 'api_key'])

    // Encrypted under another APP_KEY (a backup of another install restored here): the form said
    // "Set" while the plugin ran without it; now it says it cannot be read, and a restore warns
    // (its authentication tag does not match under this key, as a changed byte does not)
    const sealed = encryption.encrypt('sk-live-123')
    const underAnotherKey = sealed.slice(0, -6) + (sealed.at(-6) === 'A' ? 'B' : 'A') + sealed.slice(-5)
    assert.isNull(encryption.decrypt(underAnotherKey))
    await db.from('plugin_settings').where({ plugin_id: 'hello', key: 'api_key' }).update({ value: underAnotherKey })
    assert.isNull((await pluginHost.settingsOf('hello')).api_key)
    const unreadable = await client.get('/backoffice/plugins/hello/settings').loginAs(admin)
    assert.include(unreadable.text(), 'cannot read it (restored from an install with another key?): enter it again')
    assert.notInclude(unreadable.text(), 'Set — leave empty to keep it')
    assert.deepInclude(await unreadableSecrets(db.connection()), { plugin: 'hello', key: 'api_key' })
    await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Hi', api_key: 'sk-live-123' })
    assert.deepEqual(await unreadableSecrets(db.connection()), [])

    // A running plugin picks new settings up at once
    const product = await createProduct(fixture, { price: 500 })
    await pluginPost(client, admin, '/backoffice/plugins/hello/enable')
    await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Ahoy' })
    const sale = await sellFor(fixture, [{ product, quantity: 1 }])
    const greeting = await eventually(() => db.from('hello_greetings').where('sale_id', sale.id).first())
    assert.equal(greeting.greeting, `Ahoy #${sale.number}`)
  })

  test('a required setting left empty stops enabling, with the error on the settings form', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const admin = fixture.users.admin
    await pluginPost(client, admin, '/backoffice/plugins/hello/settings', { greeting: 'Hi' })
    await db.from('plugin_settings').where({ plugin_id: 'hello', key: 'greeting' }).update({ value: JSON.stringify('') })
    const enable = await pluginPost(client, admin, '/backoffice/plugins/hello/enable')
    enable.assertStatus(302)
    enable.assertHeader('location', '/backoffice/plugins/hello/settings')
    assert.deepEqual(enable.flashMessage('inputErrorsBag'), { greeting: ['Greeting is required'] })
    // Said once, as the form's error (a green notice beside "The form could not be saved" before)
    assert.deepEqual(enable.flashMessage('errorsBag'), { E_VALIDATION_ERROR: 'Fill in the settings of "Hello" before enabling it' })
    assert.isUndefined(enable.flashMessage('notice'))
    assert.equal(pluginHost.get('hello').state, 'available')
    assert.isNull(pluginRegistry.taxRegion())
  })
})

test.group('Plugins: failures are isolated', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('a plugin that throws on load is marked failed with the error, registers nothing, and the till keeps selling', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const enable = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/throws-on-load/enable').header('referer', PAGE)
    enable.assertStatus(302)
    assert.match(JSON.stringify(enable.flashMessages()), /could not be enabled: the licence server is unreachable/)
    const entry = pluginHost.get('throws-on-load')
    assert.equal(entry.state, 'failed')
    assert.equal(entry.error, 'the licence server is unreachable')
    assert.equal((await db.from('plugins').where('id', 'throws-on-load').first()).enabled ? 1 : 0, 0)
    assert.match(JSON.stringify((await audits('plugin_enable_failed', fixture.store.id))[0].data), /licence server/)
    const page = await client.get(PAGE).loginAs(fixture.users.admin)
    assert.include(page.text(), 'Failed to load')
    assert.include(page.text(), 'the licence server is unreachable')

    const product = await createProduct(fixture, { price: 250 })
    const sale = await sellFor(fixture, [{ product, quantity: 2 }])
    assert.equal(sale.status, 'completed')
  })

  test('a failing plugin migration leaves no table and no record behind', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const enable = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/bad-migration/enable').header('referer', PAGE)
    enable.assertStatus(302)
    assert.match(JSON.stringify(enable.flashMessages()), /migration 0002_fails\.ts failed: disk full/)
    assert.equal(pluginHost.get('bad-migration').state, 'failed')
    assert.isFalse(await hasTable('bad_migration_things'))
    assert.equal(await countRows('plugin_migrations', { plugin_id: 'bad-migration' }), 0)
  })

  test('at boot, enabled plugins load again; one that throws is marked failed and the rest still load', async ({ assert }) => {
    const now = dbTimestamp()
    await db.table('plugins').multiInsert([
      { id: 'hello', enabled: true, created_at: now, updated_at: now },
      { id: 'throws-on-load', enabled: true, created_at: now, updated_at: now },
    ])
    await pluginHost.boot()
    assert.equal(pluginHost.get('hello').state, 'enabled')
    assert.equal(pluginHost.get('throws-on-load').state, 'failed')
    assert.equal(pluginHost.get('throws-on-load').error, 'the licence server is unreachable')
  })

  test('a plugin folder that cannot be read (a link to nothing) is listed as Cannot load; the POS boots anyway', async ({ assert, cleanup }) => {
    const root = app.makePath('tmp', `plugins-${process.pid}`)
    mkdirSync(root, { recursive: true })
    symlinkSync(join(root, 'removed-checkout'), join(root, 'dangling'))
    cleanup(() => rmSync(root, { recursive: true, force: true }))
    pluginHost.setRoots([FIXTURES, root])
    await pluginHost.boot()
    assert.equal(pluginHost.get('dangling').state, 'invalid')
    assert.match(pluginHost.get('dangling').problems.join(), /the folder cannot be read \(ENOENT\)/)
    assert.equal(pluginHost.get('hello').state, 'available')
  })

  test('a tax plugin that throws or hangs blocks the sale with a clear message, never a fallback rate', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const product = await createProduct(fixture, { price: 1000 })
    const admin = fixture.users.admin
    // A cart rung up before the plugin was enabled
    const till = (url: string) =>
      client.post(url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
    ;(await till('/till/items').form({ product_id: product.id })).assertStatus(200)
    await pluginPost(client, admin, '/backoffice/plugins/throws-in-hook/enable')
    assert.equal(pluginHost.get('throws-in-hook').state, 'enabled')

    // The till refuses the payment with the reason; the cart stays open and unpaid
    const pay = await till('/till/payments').form({ method: 'cash', tendered: '20.00' })
    pay.assertStatus(409)
    assert.include(pay.text(), 'Tax cannot be worked out: the tax plugin')
    assert.include(pay.text(), 'The sale cannot be completed until an admin fixes or disables it.')
    const cart = await db.from('sales').where({ register_id: fixture.register.id }).orderBy('id', 'desc').first()
    assert.equal(cart.status, 'open')
    assert.equal(cart.paid_total, 0)

    const token = (await client.post('/api/auth/login').json({ email: fixture.users.cashier.email, password: 'test-pass-123' })).body().token
    const sales = await countRows('sales', { store_id: fixture.store.id })
    const refused = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash', tendered: 5000 })
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'tax_unavailable')
    assert.match(refused.body().errors[0].message, /Tax cannot be worked out: the tax plugin "throws-in-hook" failed \(rate table corrupted\)/)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), sales)

    const page = await client.get(PAGE).loginAs(admin)
    assert.include(page.text(), 'tax calculate(): rate table corrupted')

    // A hanging calculator is cut off by the time limit
    pluginHost.hookTimeoutMs = 200
    try {
      await pluginPost(client, admin, '/backoffice/plugins/throws-in-hook/settings', { mode: 'hang' })
      const hung = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }] })
      hung.assertStatus(409)
      assert.match(hung.body().errors[0].message, /did not answer within 0.2 s/)
    } finally {
      pluginHost.hookTimeoutMs = 3000
    }

    // Disabled by the admin: the built-in flat rate is back
    await pluginPost(client, admin, '/backoffice/plugins/throws-in-hook/disable')
    const sold = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash', tendered: 5000 })
    sold.assertStatus(201)
    assert.equal(sold.body().tax_total, 80)
  })

  test('a listener that throws does not break the sale; the error is recorded', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const product = await createProduct(fixture, { price: 1000 })
    await pluginPost(client, fixture.users.admin, '/backoffice/plugins/throws-in-hook/settings', { mode: 'listener' })
    await pluginPost(client, fixture.users.admin, '/backoffice/plugins/throws-in-hook/enable')
    const sale = await sellFor(fixture, [{ product, quantity: 1 }])
    assert.equal(sale.status, 'completed')
    assert.equal(sale.taxTotal, 80)
    const row = await eventually(() => db.from('plugins').where('id', 'throws-in-hook').whereNotNull('last_error').first())
    assert.equal(row.last_error, 'listener of sale:completed: listener exploded')
  })

  test('a setup() that registers after its time limit leaves nothing running: the failed plugin hears no sale', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const product = await createProduct(fixture, { price: 1000 })
    ;(globalThis as any).lateListenerCalls = 0
    await pluginPost(client, fixture.users.admin, '/backoffice/plugins/throws-in-hook/settings', { mode: 'late' })
    pluginHost.hookTimeoutMs = 100
    try {
      const enable = await pluginPost(client, fixture.users.admin, '/backoffice/plugins/throws-in-hook/enable').header('referer', PAGE)
      assert.match(JSON.stringify(enable.flashMessages()), /setup\(\) did not answer within 0.1 s/)
    } finally {
      pluginHost.hookTimeoutMs = 3000
    }
    assert.equal(pluginHost.get('throws-in-hook').state, 'failed')
    // setup() goes on and registers its listener after the host gave up on it
    await new Promise((resolve) => setTimeout(resolve, 400))
    const sale = await sellFor(fixture, [{ product, quantity: 1 }])
    assert.equal(sale.status, 'completed')
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal((globalThis as any).lateListenerCalls, 0)
  })
})
