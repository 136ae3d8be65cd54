import { test } from '@japa/runner'
import Papa from 'papaparse'
import router from '@adonisjs/core/services/router'
import Category from '#models/category'
import Customer from '#models/customer'
import { recordAudit } from '#platform/audit_service'
import { pluginHost } from '#plugins/host'
import { neutralise } from '#platform/csv_writer'
import { apiToken, createProduct } from '#tests/fixtures'
import { seedWeek } from '#tests/functional/exports/helpers'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'

/*
| Hostile names (a product, a category, a customer, an audit reason) through every CSV the app
| writes, found from the router: no cell may start with a live formula character. A plain
| negative amount (-12.50) stays a number a spreadsheet can sum. Every file for a spreadsheet
| starts with a UTF-8 BOM (Excel reads it as ANSI otherwise: "Crème brûlée" came out "CrÃ¨me
| brÃ»lÃ©e"); the journals for an accounting package's import have none.
*/
const FOR_AN_IMPORT = ['journal', 'quickbooks', 'xero']
const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\tTAB', '\rCR']
const EXPORTERS = ['export-journal', 'export-quickbooks', 'export-xero', 'export-sales-lines']

function dangerous(cells: string[][]): string[] {
  return cells.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell))
}

test.group('CSV injection: every CSV route neutralises formula cells', (group) => {
  const turnedOn: string[] = []
  group.setup(async () => {
    pluginHost.discover()
    for (const id of EXPORTERS) {
      if (pluginHost.list().find((p) => p.id === id)?.state !== 'enabled') {
        await enablePluginForTest(id)
        turnedOn.push(id)
      }
    }
    return async () => {
      for (const id of turnedOn) await disablePluginForTest(id)
    }
  })

  test('the writer: text cells quoted, plain negative amounts left as numbers', ({ assert }) => {
    for (const cell of HOSTILE) assert.equal(neutralise(cell), `'${cell}`)
    assert.equal(neutralise('-12.50'), '-12.50')
    assert.equal(neutralise(-12.5), -12.5)
    assert.equal(neutralise('Plain'), 'Plain')
  })

  test('products, reports, audit, customer export and accounting exports', async ({ client, assert }) => {
    const week = await seedWeek({ formulaName: HOSTILE[0] })
    const { fixture, from, to } = week
    const admin = fixture.users.admin
    const category = await Category.create({ storeId: fixture.store.id, name: '=1+1 category', position: 1 })
    for (const [i, name] of HOSTILE.entries()) {
      const product = await createProduct(fixture, { name, sku: `${i === 3 ? '@' : '='}SKU-${fixture.tag}-${i}` })
      await product.merge({ categoryId: category.id }).save()
    }
    await createProduct(fixture, { name: 'Crème brûlée €', sku: `CREME-${fixture.tag}` })
    await fixture.register.merge({ name: '=1+1 register' }).save()
    const customer = await Customer.create({ storeId: fixture.store.id, name: '=cmd|"/c calc"!A1', email: `evil.${fixture.tag}@example.com`, phone: null })
    await recordAudit({ action: 'refund', storeId: fixture.store.id, userId: admin.id, data: { reason: '=HYPERLINK("x")' } })
    await recordAudit({ action: '@refund', storeId: fixture.store.id, userId: admin.id, ip: '+1' })

    const all = Object.values(router.toJSON()).flat() as { pattern: string; methods: string[] }[]
    const csvRoutes = all.filter((r) => /csv|export/.test(r.pattern))
    const patterns = csvRoutes.map((r) => `${r.methods.includes('POST') ? 'POST' : 'GET'} ${r.pattern}`).sort()
    // Every CSV route of the app is covered below; a new one fails here until it is added
    assert.deepEqual(patterns, [
      'GET /api/exports',
      'GET /api/exports/:exporter',
      'GET /backoffice/audit.csv',
      'GET /backoffice/exports',
      'GET /backoffice/products/export.csv',
      'GET /backoffice/refunds.csv',
      'GET /backoffice/reports/csv/:table',
      'GET /backoffice/reports/periods/csv/:table',
      'POST /backoffice/customers/:id/export',
      'POST /backoffice/exports',
    ])

    const token = await apiToken(client, admin)
    const exporters = (await client.get('/api/exports').header('authorization', `Bearer ${token}`)).body().data ?? []
    const ids: string[] = (Array.isArray(exporters) ? exporters : []).map((e: any) => e.id)
    assert.includeMembers(ids, ['journal'])

    const files: [string, string][] = []
    const get = async (url: string) => {
      const response = await client.get(url).loginAs(admin)
      assert.equal(response.status(), 200, `${url}: ${response.text().slice(0, 200)}`)
      files.push([url, response.text()])
    }
    await get('/backoffice/products/export.csv')
    await get(`/backoffice/audit.csv`)
    await get(`/backoffice/refunds.csv?from=${from}&to=${to}`)
    for (const table of ['days', 'hours', 'methods', 'categories', 'cashiers', 'registers', 'stores', 'best', 'worst', 'valuation', 'low_stock']) {
      await get(`/backoffice/reports/csv/${table}?from=${from}&to=${to}`)
    }
    for (const table of ['periods', 'products', 'categories']) {
      await get(`/backoffice/reports/periods/csv/${table}?view=month&period=${from.slice(0, 7)}`)
    }
    for (const id of ids) {
      const api = await client.get(`/api/exports/${id}?from=${from}&to=${to}`).header('authorization', `Bearer ${token}`)
      assert.equal(api.status(), 200, `${id}: ${api.text().slice(0, 200)}`)
      files.push([`api ${id}`, api.text()])
      assert.equal(api.text().startsWith('\ufeff'), !FOR_AN_IMPORT.includes(id), `api ${id}: a BOM for a spreadsheet only`)
      const form = await client.post('/backoffice/exports').form({ exporter: id, from, to }).withCsrfToken().loginAs(admin)
      assert.equal(form.status(), 200, `form ${id}: ${form.text().slice(0, 200)}`)
      files.push([`form ${id}`, form.text()])
      assert.equal(form.text().startsWith('\ufeff'), !FOR_AN_IMPORT.includes(id), `form ${id}: a BOM for a spreadsheet only`)
    }
    const privacy = await client.post(`/backoffice/customers/${customer.id}/export`).form({ confirm: 'on', format: 'csv' }).withCsrfToken().loginAs(admin)
    assert.equal(privacy.status(), 200, privacy.text().slice(0, 200))
    files.push(['customer export', privacy.text()])

    for (const [name, body] of files) {
      if (!name.startsWith('api ') && !name.startsWith('form ')) assert.isTrue(body.startsWith('\ufeff'), `${name}: a file for a spreadsheet starts with the BOM`)
    }
    assert.include(files.find(([name]) => name.endsWith('export.csv'))![1], 'Crème brûlée €')
    const text = files.map(([, body]) => body).join('\n')
    assert.include(text, `'${HOSTILE[0].replaceAll('"', '""')}`, 'the hostile product name is there, neutralised')
    assert.include(text, "'=cmd|")
    assert.include(text, "'=1+1 register", 'the register report names the hostile register, neutralised')
    for (const [name, body] of files) {
      const cells = Papa.parse<string[]>(body.replace(/^\ufeff/, '').trim()).data
      assert.isAbove(cells.length, 0, name)
      assert.deepEqual(dangerous(cells), [], name)
    }
  }).timeout(120_000)
})
