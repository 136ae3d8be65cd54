import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { checkProductsCsv, runProductsImport } from './product_csv_import.js'

/*
| The products CSV is read from disk in chunks of 64 KB. A letter written in UTF-8 as two bytes or
| more (é, ñ, ü, an emoji) that a chunk's end cut in two was decoded as two replacement characters:
| the product imported as "ééé��é", once per 64 KB of a file of accented names.
*/

test.group('Products CSV: reading the file', () => {
  test('accented names across the 64 KB chunks of the file import letter for letter', async ({ client, assert }) => {
    const fixture = await createStore()
    // The first row is padded until the end of the first chunk falls inside a two-byte é
    const file = (pad: number) => {
      let text = `sku,name,price\nPAD-0,${'x'.repeat(pad)},1.00\n`
      for (let row = 1; Buffer.byteLength(text) < 65536 * 2 + 4096; row++) text += `CR-${row},Crème brûlée ééééé ${row},1.00\n`
      return text
    }
    let pad = 1
    while ((Buffer.from(file(pad))[65536] & 0xc0) !== 0x80) pad++
    const csv = file(pad)
    const rows = csv.trim().split('\n').length - 1
    const preview = await checkProductsCsv(client, fixture, csv)
    assert.equal(preview.status, 'previewed', JSON.stringify(preview.errors))
    assert.equal(preview.created_rows, rows)
    assert.equal((await runProductsImport(client, fixture, preview.id)).status, 'done')
    const names = (await db.from('products').where('store_id', fixture.store.id).select('name')).map((row) => row.name)
    assert.lengthOf(names, rows)
    assert.deepEqual(names.filter((name) => name.includes('\ufffd')), [])
    assert.include(names, 'Crème brûlée ééééé 1')
  })

  test('a stock or alert level written "1e3" or "0x10" is an error at its row and column, as on the product form', async ({ client, assert }) => {
    const fixture = await createStore()
    const csv = ['sku,name,price,stock,low_stock_threshold', 'N-1,Exponent,1.00,1e3,', 'N-2,Hexadecimal,1.00,0x10,', 'N-3,Alert,1.00,5,1e1', 'N-4,Plain,1.00,7,2'].join('\n')
    const preview = await checkProductsCsv(client, fixture, csv)
    assert.equal(preview.status, 'previewed')
    const errors = preview.errors as { row: number; column: string; message: string }[]
    // Number() read them as 1000, 16 and 10: a thousand units in stock from a typo
    assert.deepEqual(errors.map((error) => `${error.row}:${error.column}`), ['2:stock', '3:stock', '4:low_stock_threshold'])
    assert.equal(errors[0].message, '"1e3" is not a whole number of units (at most 1,000,000)')
    assert.deepEqual([preview.created_rows, preview.error_rows], [1, 3])
  })

  test('a quote that opens a cell and does not close where it ends refuses the file at its line; quotes written right import', async ({ client, assert }) => {
    const fixture = await createStore()
    const rows = (name: string) => ['sku,name,price', 'Q-1,Apple,1.00', `Q-2,${name},2.00`, 'Q-3,Plum,3.00', 'Q-4,Kiwi,4.00', 'Q-5,Fig,5.00'].join('\r\n')
    // Read into one cell up to the end of the file: "2 rows", and in no list
    for (const [name, cell] of [['"Best" Coffee', '"Best" Coffee,2.00'], ['"Pear 12in', '"Pear 12in,2.00']]) {
      const job = await checkProductsCsv(client, fixture, rows(name))
      assert.equal(job.status, 'failed', name)
      const [error] = job.errors
      assert.isTrue(error.message.startsWith(`Line 3: the quote that opens the cell ${cell}`), error.message)
      assert.equal(await db.from('products').where('store_id', fixture.store.id).count('* as n').first().then((r) => Number(r.n)), 0)
    }
    // Quoted as a spreadsheet writes it (quotes doubled, a comma, a line break), a quote inside a cell, spaces after a closing quote
    const good = await checkProductsCsv(client, fixture, rows('"""Best"" Coffee, dark\nroast"  ').replace('Q-4,Kiwi', 'Q-4,12" Pizza'))
    assert.equal(good.status, 'previewed', JSON.stringify(good.errors))
    assert.deepEqual([good.total_rows, good.created_rows, good.error_rows], [5, 5, 0])
  })

  test('a file of semicolons whose header names a column "a,b,c" is read with its semicolons', async ({ client, assert }) => {
    const fixture = await createStore()
    // Counted in the whole header line, the quoted name's commas outnumbered the semicolons: the
    // quotes were followed cell by cell at the commas, and a quote inside a cell papaparse reads
    // as it should (box 12,"large" lid) was taken for one opening a cell and left open
    const csv = ['sku;name;price;"notes, if, any, at, all"', 'S-1;"12"" Pizza, thin";2.00;box 12,"large" lid', 'S-2;Fig;5.00;"dry, sweet"'].join('\r\n')
    const job = await checkProductsCsv(client, fixture, csv)
    assert.equal(job.status, 'previewed', JSON.stringify(job.errors))
    assert.deepEqual([job.total_rows, job.created_rows, job.error_rows], [2, 2, 0])
  })

  test('a row that ends before a needed column has one message at that row and column', async ({ client, assert }) => {
    const fixture = await createStore()
    const csv = ['sku,name,price,stock', 'M-1,Missing Price', 'M-2', 'M-3,Whole,1.00,2'].join('\n')
    const preview = await checkProductsCsv(client, fixture, csv)
    assert.equal(preview.status, 'previewed', JSON.stringify(preview.errors))
    const errors = preview.errors as { row: number; column: string; message: string }[]
    // Each was named twice: "This row has no price field", and the form's "Enter a price"
    assert.deepEqual(errors.map((error) => `${error.row}:${error.column}`), ['2:price', '3:name', '3:price'])
    assert.equal(errors[0].message, 'This row has no price field (fewer fields than the header)')
    assert.deepEqual([preview.created_rows, preview.error_rows], [1, 2])
  })
})
