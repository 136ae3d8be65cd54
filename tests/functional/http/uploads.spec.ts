import { test } from '@japa/runner'
import { readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/*
| A file sent to a route that takes none. The body parser wrote every multipart file part of any
| POST to the system's temporary folder before the route ran (autoProcess), up to 20 MB a request,
| and nothing deleted it: anyone, signed in or not (the sign-in form), could fill the server's disk
| with a loop. Only the products import reads an upload (product_csv_controller.ts, into tmp/imports,
| with its own limit); every other route leaves a multipart body unread.
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/** The files of the system's temporary folder of exactly that size, made since `since` */
async function keptOfSize(size: number, since: number) {
  const found: string[] = []
  for (const name of await readdir(tmpdir())) {
    const info = await stat(join(tmpdir(), name)).catch(() => null)
    if (info?.isFile() && info.size === size && info.mtimeMs >= since - 1000) found.push(name)
  }
  return found
}

test.group('Uploads', () => {
  test('a file posted to the sign-in form, the API or a page that takes none is not written anywhere', async ({ assert }) => {
    // An odd size no other file in the folder has
    const size = 1_234_577
    const since = Date.now()
    for (const path of ['/login', '/api/auth/login', '/setup', '/backoffice/products']) {
      const form = new FormData()
      form.append('email', 'someone@example.com')
      form.append('file', new Blob([Buffer.alloc(size, 'a')]), 'big.bin')
      const answer = await fetch(`${baseUrl()}${path}`, { method: 'POST', body: form, redirect: 'manual' })
      assert.isBelow(answer.status, 500, path)
      await answer.arrayBuffer()
    }
    const kept = await keptOfSize(size, since)
    // (What the old code left is not left behind by its test)
    await Promise.all(kept.map((name) => rm(join(tmpdir(), name), { force: true })))
    assert.deepEqual(kept, [])
  })
})
