import db from '@adonisjs/lucid/services/db'
import type { TestStore } from '#tests/fixtures'

/*
| The products CSV through the import form, as a manager sends it: the specs of the import share
| these (each had its own copy of the upload, the wait and the run).
*/

/** Uploads the file as the import form does: the answer, a redirect to its job */
export function uploadProductsCsv(client: any, fixture: TestStore, content: string | Buffer, name = 'products.csv') {
  return client
    .post('/backoffice/products/import')
    .file('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), { filename: name, contentType: 'text/csv' })
    .withCsrfToken()
    .loginAs(fixture.users.manager)
    .redirects(0)
}

/** The import's job row once its check or run is over, its errors read (none: []) */
export async function settledImport(importId: number) {
  for (;;) {
    const job = await db.from('product_imports').where('id', importId).first()
    if (!['checking', 'running'].includes(job.status)) return { ...job, errors: job.errors ? JSON.parse(job.errors) : [] }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Uploads the file and waits for its check: the job (previewed, or failed with its errors) */
export async function checkProductsCsv(client: any, fixture: TestStore, content: string | Buffer, name?: string) {
  const response = await uploadProductsCsv(client, fixture, content, name)
  response.assertStatus(302)
  return settledImport(Number(response.headers().location.split('/').pop()))
}

/** Runs a checked import and waits for it */
export async function runProductsImport(client: any, fixture: TestStore, id: number) {
  const response = await client.post(`/backoffice/products/import/${id}/run`).withCsrfToken().loginAs(fixture.users.manager).redirects(0)
  response.assertStatus(302)
  return settledImport(id)
}

/** Checked, then run when the check passed: the finished job */
export async function importProductsCsv(client: any, fixture: TestStore, content: string | Buffer, name?: string) {
  const preview = await checkProductsCsv(client, fixture, content, name)
  return preview.status === 'previewed' ? runProductsImport(client, fixture, preview.id) : preview
}
