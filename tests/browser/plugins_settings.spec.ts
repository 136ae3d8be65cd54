import { test } from '@japa/runner'
import { pluginHost } from '#plugins/host'
import { pluginRegistry } from '#plugins/registry'
import { createStore, PASSWORD } from '#tests/fixtures'
import { resetPlugins, useFolders } from '#tests/functional/plugins/helpers'

test.group('Plugins page in Chromium', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('an admin configures US sales tax (a bad rate is shown on its field), enables it, and sees it enabled', async ({ visit, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.admin.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url: URL) => url.pathname !== '/login')

    await page.goto(new URL('/backoffice', page.url()).href)
    await page.getByRole('link', { name: 'Plugins' }).click()
    const row = page.locator('tr[data-plugin="tax-us-sales"]')
    assert.equal((await row.getByTestId('state').textContent())?.trim(), 'Available')

    await page.getByRole('link', { name: 'Configure US sales tax' }).click()
    await page.getByLabel('State rate (%)').fill('120')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.locator('#field-state_rate-error').waitFor()
    assert.equal(await page.locator('#field-state_rate-error').textContent(), 'State rate must be at most 20%')

    await page.getByLabel('State rate (%)').fill('6.25')
    await page.getByLabel('County rate (%)').fill('1')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings of "US sales tax" saved').waitFor()

    await page.getByRole('button', { name: 'Enable US sales tax' }).click()
    await page.getByText('"US sales tax" is enabled').waitFor()
    assert.equal((await page.locator('tr[data-plugin="tax-us-sales"]').getByTestId('state').textContent())?.trim(), 'Enabled')
    assert.equal(pluginHost.get('tax-us-sales').state, 'enabled')
    assert.equal(pluginRegistry.taxRegion()?.id, 'us-sales')
  })
})
