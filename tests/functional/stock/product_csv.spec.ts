import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Product from '#models/product'
import { apiToken, countRows, createProduct, createStore, ledgerSum, PASSWORD } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { signIn } from '#tests/live_client'
import { ean13 } from '#core/barcode'
import { existsSync } from 'node:fs'
import { dbTimestamp } from '#platform/db_time'
import { checkProductsCsv as uploadAndCheck, runProductsImport as runImport, settledImport as settled, uploadProductsCsv as upload } from './product_csv_import.js'


test.group('Products CSV', () => {
  test('export streams every product with a header, barcodes and decimal prices', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Comma, "Quoted" Tea', sku: 'TEA-1', price: 1299, cost: 450, stock: 7, barcode: '4006381333931' })
    await createProduct(fixture, { name: 'Plain Coffee', sku: 'COF-1', price: 500, stock: 0 })
    const response = await client.get('/backoffice/products/export.csv').loginAs(fixture.users.manager)
    response.assertStatus(200)
    assert.include(response.header('content-type'), 'text/csv')
    const text = response.text()
    assert.isTrue(text.startsWith('\ufeffsku,name,barcodes,category,price,cost,tax_class,stock,low_stock_threshold,active\r\n'))
    assert.include(text, 'TEA-1,"Comma, ""Quoted"" Tea",4006381333931,General,12.99,4.50,standard,7,5,yes')
    assert.include(text, 'COF-1,Plain Coffee')
    const cashier = await client.get('/backoffice/products/export.csv').loginAs(fixture.users.accountant)
    cashier.assertStatus(403)
  })

  test('a good file (BOM, semicolons, quoted newline): previewed without writing, then created and updated by SKU', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createProduct(fixture, { name: 'Old Name', sku: 'UPD-1', price: 100, stock: 10 })
    const code = ean13('590123412345')
    const csv =
      '\ufeffSKU;Name;Price;Barcodes;Category;Stock;Active\r\n' +
      `NEW-1;"Two-line\nname";3,50;${code};Snacks;12;yes\r\n` +
      'UPD-1;New Name;2.00;;;4;\r\n'
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.equal(preview.status, 'previewed', JSON.stringify(preview.errors))
    assert.equal(preview.total_rows, 2)
    assert.equal(preview.created_rows, 1)
    assert.equal(preview.updated_rows, 1)
    assert.equal(await countRows('products', { store_id: fixture.store.id, sku: 'NEW-1' }), 0)

    const page = await client.get(`/backoffice/products/import/${preview.id}`).loginAs(fixture.users.manager)
    assert.include(page.text(), 'Nothing has been written yet')

    const done = await runImport(client, fixture, preview.id)
    assert.equal(done.status, 'done')
    assert.deepInclude(done, { created_rows: 1, updated_rows: 1, error_rows: 0 })
    const created = await Product.query().where({ store_id: fixture.store.id, sku: 'NEW-1' }).preload('barcodes').preload('category').firstOrFail()
    // A cell on two lines is a name on one: its lines joined by a space
    assert.equal(created.name, 'Two-line name')
    assert.equal(created.price, 350)
    assert.equal(created.stock, 12)
    assert.equal(created.category.name, 'Snacks')
    assert.deepEqual(created.barcodes.map((b) => b.code), [code])
    assert.equal(await ledgerSum(created.id), 12)
    const updated = await Product.findOrFail(existing.id)
    assert.equal(updated.name, 'New Name')
    assert.equal(updated.price, 200)
    assert.equal(updated.stock, 4)
    assert.equal(await ledgerSum(existing.id), 4)
    // The till finds the new product by its name's words
    assert.equal(await countRows('product_words', { product_id: created.id, word: 'two' }), 1)
  })

  test('a price or cost of more than 7 digits is a row error naming the limit; one within it imports', async ({ client, assert }) => {
    const fixture = await createStore()
    const csv = 'SKU,Name,Price,Cost\r\nBIG-1,Big,9999999.99,1.00\r\nBIG-2,Bigger,123456789012345678901234,\r\nBIG-3,Dear cost,1.00,12345678\r\nOK-1,Fine,1000000.00,\r\n'
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.equal(preview.status, 'previewed', JSON.stringify(preview.errors))
    assert.deepEqual(
      preview.errors.map((e: any) => [e.row, e.column, e.message]),
      [
        [2, 'price', 'The price can be at most $1,000,000.00'],
        [3, 'price', 'The price can be at most $1,000,000.00'],
        [4, 'cost', 'The cost can be at most $1,000,000.00'],
      ]
    )
    assert.deepEqual([preview.error_rows, preview.created_rows], [3, 1])
  })

  test('a preview not imported within a day expires at the next upload: its file is removed and the page says to upload again', async ({ client, assert }) => {
    const fixture = await createStore()
    const preview = await uploadAndCheck(client, fixture, 'SKU,Name,Price\r\nOLD-1,Old,1.00\r\n')
    assert.equal(preview.status, 'previewed')
    assert.isTrue(existsSync(preview.path))
    await db.from('product_imports').where('id', preview.id).update({ created_at: dbTimestamp(new Date(Date.now() - 25 * 3_600_000)) })
    const fresh = await uploadAndCheck(client, fixture, 'SKU,Name,Price\r\nNEW-1,New,1.00\r\n')
    assert.equal(fresh.status, 'previewed')
    assert.equal((await db.from('product_imports').where('id', preview.id).first()).status, 'expired')
    assert.isFalse(existsSync(preview.path))
    assert.isTrue(existsSync(fresh.path))
    const page = await client.get(`/backoffice/products/import/${preview.id}`).loginAs(fixture.users.manager)
    assert.include(page.text(), 'upload the file again')
    ;(await client.post(`/backoffice/products/import/${preview.id}/run`).withCsrfToken().loginAs(fixture.users.manager).redirects(0)).assertStatus(302)
    assert.equal(await countRows('products', { store_id: fixture.store.id, sku: 'OLD-1' }), 0)
  })

  test('a broken file: each bad row named with its column, nothing written by the preview, the valid rows imported', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { sku: 'TAKEN', barcode: '4006381333931' })
    const csv = [
      'sku,name,price,barcodes,stock',
      'OK-1,Fine Product,1.00,,3',
      'BAD-PRICE,Bad Price,abc,,1',
      'BAD-CODE,Bad Barcode,1.00,4006381333932,1',
      'OK-1,Duplicate Sku,1.00,,1',
      'NEG,Negative Stock,1.00,,-4',
      'HUGE,Absurd Stock,1.00,,5000000',
      ',No Sku,1.00,,1',
      'CLASH,Clashing Barcode,1.00,4006381333931,1',
      'OK-2,Also Fine,2.50,,0',
    ].join('\n')
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.equal(preview.status, 'previewed')
    assert.equal(preview.total_rows, 9)
    const where = preview.errors.map((e: any) => `${e.row}:${e.column}`)
    assert.includeMembers(where, ['3:price', '4:barcodes', '5:sku', '6:stock', '7:stock', '8:sku', '9:barcodes'])
    // A barcode another product already has is named in the preview, as the import will refuse it
    assert.equal(preview.errors.find((e: any) => e.row === 9).message, 'Barcode 4006381333931 already belongs to the product with SKU TAKEN')
    assert.deepEqual([preview.error_rows, preview.created_rows, preview.updated_rows], [7, 2, 0])
    assert.deepEqual(where, [...where].sort((a: string, b: string) => Number.parseInt(a) - Number.parseInt(b)))
    assert.include(preview.errors.find((e: any) => e.row === 4).message, 'check digit')
    assert.include(preview.errors.find((e: any) => e.row === 5).message, 'also on row 2')
    assert.equal(await countRows('products', { store_id: fixture.store.id }), 1)
    const page = await client.get(`/backoffice/products/import/${preview.id}`).loginAs(fixture.users.manager)
    assert.include(page.text(), 'data-testid="row-errors"')

    const done = await runImport(client, fixture, preview.id)
    assert.equal(done.status, 'done')
    assert.equal(done.created_rows, 2)
    // Row 9's barcode belongs to the product with SKU TAKEN: refused when writing too
    assert.include(done.errors.map((e: any) => `${e.row}:${e.column}`), '9:barcodes')
    assert.equal(await countRows('products', { store_id: fixture.store.id }), 3)
  })

  test('a row wrong in several columns names every one of them at once', async ({ client, assert }) => {
    const fixture = await createStore()
    // The name and price are the form's rules; the tax class, stock, barcode and active flag were
    // checked only once those passed, so the row came back again and again with the next problem
    const csv = ['sku,name,price,tax_class,stock,barcodes,active', 'MANY-1,,abc,bogus,-3,4006381333932,perhaps'].join('\n')
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.equal(preview.status, 'previewed')
    assert.equal(preview.error_rows, 1)
    assert.sameMembers(preview.errors.map((e: any) => `${e.row}:${e.column}`), ['2:name', '2:price', '2:tax_class', '2:stock', '2:barcodes', '2:active'])
    assert.include(preview.errors.find((e: any) => e.column === 'tax_class').message, 'Unknown tax class "bogus"')
  })

  test('a category name with a control character or a text-direction override is an error on its row and column', async ({ client, assert }) => {
    const fixture = await createStore()
    const csv = ['sku,name,price,category', 'CAT-1,Tea,1.00,"Drinks\u202Egnp.exe"', 'CAT-2,Coffee,1.00,"Bell\u0007"', 'CAT-3,Cola,1.00,Drinks'].join('\n')
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.deepEqual(preview.errors.map((e: any) => `${e.row}:${e.column}`), ['2:category', '3:category'])
    assert.include(preview.errors[0].message, 'no control characters or text-direction overrides')
    const done = await runImport(client, fixture, preview.id)
    assert.equal(done.created_rows, 1)
    assert.deepEqual((await db.from('categories').where('store_id', fixture.store.id).orderBy('name').select('name')).map((c) => c.name), ['Drinks', 'General'])
  })

  test('invisible characters (app/core/visible_text.ts): a SKU holding one is an error at its row and column; a name and a category lose them, a category of two spaces is the one of one', async ({ client, assert }) => {
    const fixture = await createStore()
    await client.post('/api/products').bearerToken(await apiToken(client, fixture.users.manager)).json({ name: 'Z1', sku: 'ZW-1', price: 100, category: 'épicerie fine' })
    const csv = [
      'sku,name,price,category',
      'ZW-1\u200b,Z2,1.00,',
      'ZW-1\u00ad,Z3,1.00,',
      'GT-1,Green\u00AD tea\u200B,1.00,"General\uFEFF"',
      'RIL-1,Rillettes,1.00,EPICERIE  FINE',
      'CHEF-1,👩‍🍳 Chef,1.00,Crème brûlée',
    ].join('\n')
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.deepEqual(preview.errors.map((e: any) => `${e.row}:${e.column}`), ['2:sku', '3:sku'])
    assert.include(preview.errors[0].message, 'invisible characters')
    const done = await runImport(client, fixture, preview.id)
    assert.equal(done.created_rows, 3)
    const made = await db.from('products').where('store_id', fixture.store.id).whereIn('sku', ['GT-1', 'RIL-1', 'CHEF-1']).orderBy('sku').select('sku', 'name', 'category_id')
    const ids = Object.fromEntries((await db.from('categories').where('store_id', fixture.store.id).select('id', 'name')).map((c) => [c.name, Number(c.id)]))
    assert.deepEqual(made.map((p) => [p.sku, p.name, Number(p.category_id)]), [['CHEF-1', '👩‍🍳 Chef', ids['Crème brûlée']], ['GT-1', 'Green tea', fixture.category.id], ['RIL-1', 'Rillettes', ids['épicerie fine']]])
    assert.sameMembers(Object.keys(ids), ['General', 'épicerie fine', 'Crème brûlée'])
    assert.equal(await countRows('products', { store_id: fixture.store.id }), 4)
  })

  test('a file without the needed columns, and 50 MB of garbage, are refused with a clear message', async ({ client, assert }) => {
    const fixture = await createStore()
    const wrong = await uploadAndCheck(client, fixture, 'product;amount\nMug;3\n')
    assert.equal(wrong.status, 'failed')
    assert.include(wrong.errors[0].message, 'This is not a CSV with the columns sku, name, price')

    const garbage = Buffer.alloc(50 * 1024 * 1024)
    for (let i = 0; i < garbage.length; i += 4096) garbage.write(Math.random().toString(36), i)
    const response = await upload(client, fixture, garbage, 'garbage.csv')
    response.assertStatus(302)
    response.assertHeader('location', '/backoffice/products/import')
    assert.include(response.flashMessages().inputErrorsBag.file[0], 'too large')
    assert.equal(await countRows('product_imports', { store_id: fixture.store.id, file_name: 'garbage.csv' }), 0)
    assert.equal(await countRows('products', { store_id: fixture.store.id }), 0)
  })

  test('an upload sent as a plain form or JSON (no file part) is refused at the file field, not a 500', async ({ client, assert }) => {
    const fixture = await createStore()
    const form = await client.post('/backoffice/products/import').form({ file: 'products.csv' }).withCsrfToken().loginAs(fixture.users.manager).redirects(0)
    form.assertStatus(302)
    form.assertHeader('location', '/backoffice/products/import')
    assert.deepEqual(form.flashMessage('inputErrorsBag').file, ['Choose a CSV file to upload'])
    const json = await client.post('/backoffice/products/import').json({ file: 'x' }).withCsrfToken().loginAs(fixture.users.manager).redirects(0)
    json.assertStatus(302)
    assert.deepEqual(json.flashMessage('inputErrorsBag').file, ['Choose a CSV file to upload'])
    assert.equal(await countRows('product_imports', { store_id: fixture.store.id }), 0)
  })

  test('100,000 rows are checked and imported in batches', async ({ client, assert }) => {
    const fixture = await createStore()
    const lines = ['sku,name,price,stock']
    for (let i = 1; i <= 100_000; i++) lines.push(`BULK-${i},Bulk product ${i},${(i % 1000) + 1}.99,${i % 7}`)
    const preview = await uploadAndCheck(client, fixture, lines.join('\n'))
    assert.equal(preview.status, 'previewed')
    assert.equal(preview.total_rows, 100_000)
    assert.equal(preview.created_rows, 100_000)
    const done = await runImport(client, fixture, preview.id)
    assert.equal(done.status, 'done')
    assert.equal(done.created_rows, 100_000)
    assert.equal(await countRows('products', { store_id: fixture.store.id }), 100_000)
    const sum = await db.from('stock_movements').where('store_id', fixture.store.id).sum('quantity as total').first()
    const stock = await db.from('products').where('store_id', fixture.store.id).sum('stock as total').first()
    assert.equal(Number(sum.total), Number(stock.total))
    // A guard against a hang, not a speed check: 5 s alone on SQLite (2.5 minutes while each
    // batch's SKU lookup walked the store's products: tests/functional/stock/sku_lookup_plan.spec.ts)
  }).timeout(600_000)
})

test.group('Products CSV: the upload form as a browser sends it', () => {
  test('the form keeps its CSRF token out of every address (it goes as the page\'s X-CSRF-TOKEN header, htmx) and works from a real session', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(`http://${process.env.HOST}:${process.env.PORT}`, fixture.users.manager.email, PASSWORD)
    const html = await (await session.request('/backoffice/products/import')).text()
    // An address (action, href, src, hx-*) holding the token ends up in proxies' and access logs
    const addresses = [...html.matchAll(/\b(?:action|href|src|hx-(?:get|post|put|patch|delete))="([^"]*)"/g)].map((m) => m[1])
    assert.isAbove(addresses.length, 0)
    for (const address of addresses) assert.notInclude(address, '_csrf', address)
    assert.notInclude(html, `?_csrf=`)
    // The form is sent by htmx as multipart, with the token the page gives htmx (body hx-headers)
    const form = html.match(/<form[^>]*enctype="multipart\/form-data"[^>]*>/)?.[0] ?? ''
    assert.include(form, 'hx-post="/backoffice/products/import"')
    assert.include(form, 'hx-encoding="multipart/form-data"')
    const token = JSON.parse(html.match(/hx-headers='([^']+)'/)![1].replace(/&quot;/g, '"'))['x-csrf-token']
    assert.isString(token)

    const body = new FormData()
    body.append('file', new Blob(['sku,name,price\nFORM-1,Form Upload,1.00\n'], { type: 'text/csv' }), 'form.csv')
    const response = await session.request('/backoffice/products/import', { method: 'POST', body, headers: { 'x-csrf-token': token, 'hx-request': 'true' } })
    // htmx is sent to the job's page as a whole page (HX-Redirect), not a redirect it follows and swaps
    assert.equal(response.status, 204)
    const id = Number(response.headers.get('hx-redirect')!.match(/^\/backoffice\/products\/import\/(\d+)$/)![1])
    const job = await settled(id)
    assert.equal(job.status, 'previewed')
    assert.equal(job.created_rows, 1)

    // A file refused (empty): htmx is sent back to the page, which says why at the file field
    const empty = new FormData()
    empty.append('file', new Blob([''], { type: 'text/csv' }), 'empty.csv')
    const refusedFile = await session.request('/backoffice/products/import', { method: 'POST', body: empty, headers: { 'x-csrf-token': token, 'hx-request': 'true' } })
    assert.equal(refusedFile.status, 204)
    assert.equal(refusedFile.headers.get('hx-redirect'), '/backoffice/products/import')
    assert.include(await (await session.request('/backoffice/products/import')).text(), 'data-error-for="file">Choose a CSV file to upload</p>')

    // Without the token, or with it in the address only, the upload is refused and no import is made
    for (const path of ['/backoffice/products/import', `/backoffice/products/import?_csrf=${encodeURIComponent(token)}`]) {
      const refused = await session.request(path, { method: 'POST', body, headers: { 'hx-request': 'true' } })
      assert.equal(refused.status, 419, path)
      assert.isNull(refused.headers.get('hx-redirect'))
    }
    assert.equal(await countRows('product_imports', { store_id: fixture.store.id }), 1)
  })

  test('a SKU is the same whatever its case, on both databases: refused twice, updated, scanned, searched and transferred by it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Leaf', sku: `TEA-${fixture.tag}`, price: 100, stock: 10 })
    const lower = tea.sku.toLowerCase()
    const token = await apiToken(client, fixture.users.manager)
    const twice = await client.post('/api/products').bearerToken(token).json({ name: 'Copy', sku: lower, price: 200, tax_class: 'standard' })
    twice.assertStatus(422)
    assert.deepInclude(twice.body().errors[0], { field: 'sku', code: 'duplicate_sku' })

    // The file names it in lower case: that product is updated (its SKU kept as stored); the same
    // new SKU in two cases on two rows is refused at the second row
    const csv = `sku,name,price,stock\r\n${lower},Green Leaf Tea,1.50,4\r\nNEW-${fixture.tag},New,1.00,1\r\nnew-${fixture.tag},New again,1.00,1\r\n`
    const preview = await uploadAndCheck(client, fixture, csv)
    assert.deepEqual(preview.errors.map((e: any) => [e.row, e.column, e.message]), [[4, 'sku', `SKU new-${fixture.tag} is also on row 3`]])
    assert.deepEqual([preview.created_rows, preview.updated_rows], [1, 1])
    const done = await runImport(client, fixture, preview.id)
    assert.deepInclude(done, { status: 'done', created_rows: 1, updated_rows: 1 })
    const rows = await db.from('products').where('store_id', fixture.store.id).orderBy('id').select('sku', 'name', 'price')
    assert.deepEqual(rows.map((r) => [r.sku, r.name, Number(r.price)]), [[tea.sku, 'Green Leaf Tea', 150], [`NEW-${fixture.tag}`, 'New', 100]])

    // The till's scan and the product search find it typed in another case, and a SKU of several words whole
    const scan = await client.post('/till/scan').loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).form({ code: lower }).redirects(0)
    scan.assertHeader('location', '/till')
    const line = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.register_id', fixture.register.id).where('sales.status', 'open').select('sale_items.product_id').first()
    assert.equal(Number(line?.product_id), tea.id)
    const found = await client.get('/api/products').bearerToken(token).qs({ search: lower })
    assert.deepEqual(found.body().data.map((p: any) => p.id), [tea.id])

    // Another store's product of the same SKU in another case receives a transfer
    const other = await createStore()
    const target = await createProduct(other, { name: 'Green Leaf', sku: lower, stock: 0 })
    const sent = await client.post('/api/stock/transfers').bearerToken(token).json({ to_store_id: other.store.id, items: [{ product_id: tea.id, quantity: 2 }] })
    sent.assertStatus(201)
    assert.equal(sent.body().items[0].to_product_id, target.id)
  })

  test('a pair of SKUs differing only in case, kept from before (SQLite): each is found by its exact spelling, stays editable, and a file row updates its own', async ({ client, assert }) => {
    const fixture = await createStore()
    const upper = await createProduct(fixture, { name: 'Upper', sku: `PAIR-${fixture.tag}`, price: 100, stock: 5 })
    // As SQLite let it be made before SKUs were compared without case (the catalog refuses it now)
    const lowerSku = upper.sku.toLowerCase()
    await db.table('products').insert({ store_id: fixture.store.id, name: 'Lower', sku: lowerSku, price: 200, cost: 0, tax_class: 'standard', stock: 5, low_stock_threshold: 5, active: true, created_at: '2026-01-01 00:00:00', updated_at: '2026-01-01 00:00:00' })
    const lower = await db.from('products').where({ store_id: fixture.store.id, sku: lowerSku }).first()

    const scan = async (code: string) => {
      const answer = await client.post('/till/scan').loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).form({ code }).redirects(0)
      answer.assertHeader('location', '/till')
    }
    await scan(lowerSku)
    await scan(upper.sku)
    const lines = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.register_id', fixture.register.id).where('sales.status', 'open').orderBy('sale_items.id').select('sale_items.product_id')
    assert.deepEqual(lines.map((l) => Number(l.product_id)), [Number(lower.id), upper.id])

    const token = await apiToken(client, fixture.users.manager)
    ;(await client.put(`/api/products/${upper.id}`).bearerToken(token).json({ price: 150 })).assertStatus(200)
    const renamed = await client.put(`/api/products/${upper.id}`).bearerToken(token).json({ sku: `${lowerSku}` })
    renamed.assertStatus(422)

    const preview = await uploadAndCheck(client, fixture, `sku,name,price\r\n${lowerSku},Lower renamed,2.50\r\n`)
    const done = await runImport(client, fixture, preview.id)
    assert.deepInclude(done, { status: 'done', created_rows: 0, updated_rows: 1 })
    const names = await db.from('products').where('store_id', fixture.store.id).orderBy('id').select('sku', 'name')
    assert.deepEqual(names.map((r) => [r.sku, r.name]), [[upper.sku, 'Upper'], [lowerSku, 'Lower renamed']])
  }).skip(process.env.DB_CONNECTION === 'mysql', 'SQLite only: MariaDB’s unique key never held such a pair')
})
