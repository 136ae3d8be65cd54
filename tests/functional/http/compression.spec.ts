import { test } from '@japa/runner'
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { signIn } from '#tests/live_client'
import { compressResponse } from '#middleware/compression_middleware'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

interface Raw {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  chunks: number
}

/** A request with Node's http client, which leaves the body as it came (fetch would decode it) */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl()}${path}`, { headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (chunk) => parts.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts), chunks: parts.length }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The answer's bytes as they came off a raw socket, and its chunked body's chunks (sizes) */
function rawGet(port: number, path: string, acceptEncoding: string): Promise<{ head: string; chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: ${acceptEncoding}\r\nConnection: close\r\n\r\n`))
    const parts: Buffer[] = []
    socket.on('data', (part) => parts.push(part))
    socket.on('error', reject)
    socket.on('end', () => {
      const all = Buffer.concat(parts)
      const split = all.indexOf('\r\n\r\n')
      const chunks: Buffer[] = []
      let at = split + 4
      for (;;) {
        const lineEnd = all.indexOf('\r\n', at)
        const size = Number.parseInt(all.subarray(at, lineEnd).toString(), 16)
        if (!size) break
        chunks.push(all.subarray(lineEnd + 2, lineEnd + 2 + size))
        at = lineEnd + 2 + size + 2
      }
      resolve({ head: all.subarray(0, split).toString(), chunks })
    })
  })
}

function decode(raw: Raw) {
  const encoding = raw.headers['content-encoding']
  if (encoding === 'gzip') return gunzipSync(raw.body).toString()
  if (encoding === 'br') return brotliDecompressSync(raw.body).toString()
  return raw.body.toString()
}

// A page's CSRF tokens differ from one answer to the next; the rest is the same page
const withoutTokens = (html: string) => html.replace(/"x-csrf-token": "[^"]+"/g, '').replace(/name=['"]_csrf['"] value=['"][^'"]+['"]/g, '')

test.group('Compression of text answers', (group) => {
  group.setup(() => {
    process.env.COMPRESS_RESPONSES = 'true'
    return () => {
      delete process.env.COMPRESS_RESPONSES
    }
  })

  test('a page is gzipped or brotli-compressed as the client asks, and decompresses to the same page', async ({ assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Compressed Cola', price: 100 })
    const session = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)
    const cookie = session.header()

    const plain = await get('/backoffice/products', { cookie })
    assert.equal(plain.status, 200)
    assert.isUndefined(plain.headers['content-encoding'])
    assert.include(plain.headers.vary, 'Accept-Encoding')

    const gzip = await get('/backoffice/products', { cookie, 'accept-encoding': 'gzip, deflate' })
    assert.equal(gzip.headers['content-encoding'], 'gzip')
    assert.include(gzip.headers.vary, 'Accept-Encoding')
    assert.isUndefined(gzip.headers['content-length'])
    assert.isBelow(gzip.body.length, plain.body.length / 2)
    assert.equal(withoutTokens(decode(gzip)), withoutTokens(plain.body.toString()))
    assert.include(decode(gzip), 'Compressed Cola')

    const br = await get('/backoffice/products', { cookie, 'accept-encoding': 'gzip, deflate, br' })
    assert.equal(br.headers['content-encoding'], 'br')
    assert.equal(withoutTokens(decode(br)), withoutTokens(plain.body.toString()))

    // q=0 refuses an encoding
    const noBrotli = await get('/backoffice/products', { cookie, 'accept-encoding': 'br;q=0, gzip' })
    assert.equal(noBrotli.headers['content-encoding'], 'gzip')
  })

  test('the browser\'s files are compressed once, as the client asks; tiny bodies are left alone', async ({ assert }) => {
    for (const path of ['/css/app.css', '/js/app.js', '/vendor/htmx.min.js']) {
      const plain = await get(path)
      assert.isUndefined(plain.headers['content-encoding'], path)
      const br = await get(path, { 'accept-encoding': 'gzip, br' })
      assert.equal(br.headers['content-encoding'], 'br', path)
      assert.equal(decode(br), plain.body.toString(), path)
      // Compressed at brotli's highest level, once: smaller than what a request's brotli 4 makes
      assert.isBelow(br.body.length, brotliCompressSync(plain.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }).length, path)
      const gzipped = await get(path, { 'accept-encoding': 'gzip' })
      assert.equal(gzipped.headers['content-encoding'], 'gzip', path)
      assert.equal(decode(gzipped), plain.body.toString(), path)
    }

    const small = await get('/api/products', { 'accept-encoding': 'gzip' })
    assert.equal(small.status, 401)
    assert.isBelow(small.body.length, 1024)
    assert.isUndefined(small.headers['content-encoding'])
  })

  test('a streamed CSV download is compressed and still streamed', async ({ assert }) => {
    const fixture = await createStore()
    for (let i = 0; i < 30; i++) await createProduct(fixture, { name: `Streamed product ${i}` })
    const session = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)
    const csv = await get('/backoffice/products/export.csv', { cookie: session.header(), 'accept-encoding': 'gzip' })
    assert.equal(csv.status, 200)
    assert.equal(csv.headers['content-encoding'], 'gzip')
    assert.equal(csv.headers['transfer-encoding'], 'chunked')
    const text = decode(csv)
    assert.equal(text.split('\n').filter((line) => line.includes('Streamed product')).length, 30)
  })

  test('a whole body is compressed at once, a large one through the stream; both decompress to the body', async ({ assert, cleanup }) => {
    const line = (i: number) => `<tr><td>Line ${i}</td><td>${(i * 7919) % 10007}</td></tr>\n`
    const bodies: Record<string, string> = {
      '/small': Array.from({ length: 100 }, (_, i) => line(i)).join(''), // about 3 KB
      '/large': Array.from({ length: 6000 }, (_, i) => line(i)).join(''), // about 200 KB, over 64 KB
    }
    const server = createServer((req, res) => {
      compressResponse(res, req.method ?? 'GET', req.headers['accept-encoding'] === 'br' ? 'br' : 'gzip')
      const body = bodies[req.url ?? ''] ?? ''
      // As AdonisJS sends a buffered body: the length in writeHead's headers, then end(body)
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) })
      res.end(body)
      // What had been handed to the socket when end() returned
      handedOver.set(req.url!, res.socket?.bytesWritten ?? 0)
    })
    const handedOver = new Map<string, number>()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const port = (server.address() as AddressInfo).port

    for (const encoding of ['gzip', 'br']) {
      const unpack = (body: Buffer) => (encoding === 'gzip' ? gunzipSync(body) : brotliDecompressSync(body)).toString()
      const small = await rawGet(port, '/small', encoding)
      assert.match(small.head, new RegExp(`content-encoding: ${encoding}`, 'i'))
      assert.match(small.head, /transfer-encoding: chunked/i)
      assert.notMatch(small.head, /content-length/i)
      // compressed whole: one chunk, handed to the socket with the headers and the end of the body
      // before end() returned (a compression stream answers later, from the thread pool)
      assert.lengthOf(small.chunks, 1, encoding)
      assert.isAbove(handedOver.get('/small')!, small.chunks[0].length, encoding)
      assert.equal(unpack(small.chunks[0]), bodies['/small'])

      const large = await rawGet(port, '/large', encoding)
      assert.match(large.head, new RegExp(`content-encoding: ${encoding}`, 'i'))
      assert.equal(unpack(Buffer.concat(large.chunks)), bodies['/large'])
      assert.equal(handedOver.get('/large'), 0, encoding)
    }
  })

  test('server-sent events are not compressed', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = httpRequest(`${baseUrl()}/__transmit/events?uid=${crypto.randomUUID()}`, {
        headers: { 'cookie': session.header(), 'accept': 'text/event-stream', 'accept-encoding': 'gzip, br' },
      }, (res) => {
        resolve(res.headers)
        req.destroy()
      })
      req.on('error', reject)
      req.end()
    })
    assert.match(String(headers['content-type']), /^text\/event-stream/)
    assert.isUndefined(headers['content-encoding'])
  })
})
