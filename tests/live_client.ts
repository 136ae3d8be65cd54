import { randomUUID } from 'node:crypto'

/*
| A browser's side of live updates without a browser: sign in with a session cookie, open the
| server-sent event stream of /__transmit/events and subscribe to channels, over real HTTP.
| Used by the live-update tests and by pos:bench-live.
*/

export class CookieSession {
  cookies = new Map<string, string>()

  constructor(public baseUrl: string) {}

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index).trim()
      // A cleared cookie is dropped, as a browser does
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(index + 1).trim())
    }
  }

  async request(path: string, init: RequestInit = {}) {
    const response = await fetch(this.baseUrl + path, {
      ...init,
      redirect: 'manual',
      headers: { cookie: this.header(), ...(init.headers as Record<string, string>) },
    })
    this.keep(response)
    return response
  }

  /** The CSRF token of the session's pages, which live.js sends when it subscribes */
  csrf = ''
}

export async function signIn(baseUrl: string, email: string, password: string) {
  const session = new CookieSession(baseUrl)
  const page = await session.request('/login')
  const html = await page.text()
  const token = html.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)?.[1]
  if (!token) throw new Error('No CSRF token on the login page')
  const response = await session.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  })
  if (response.status !== 302) throw new Error(`Sign in failed: ${response.status}`)
  // Signing in keeps the session's CSRF secret: the login page's token stays good
  session.csrf = token
  return session
}

export interface LiveMessage {
  channel: string
  payload: any
  receivedAt: number
}

/** An open event stream: collects every message and lets a caller wait for one */
export class LiveStream {
  uid = randomUUID()
  messages: LiveMessage[] = []
  #waiters: { test: (m: LiveMessage) => boolean; resolve: (m: LiveMessage) => void }[] = []
  #controller = new AbortController()
  onMessage?: (message: LiveMessage) => void
  /** Resolves once the stream has ended (closed by either side) */
  ended: Promise<void> = Promise.resolve()

  constructor(public session: CookieSession) {}

  async open() {
    const response = await fetch(`${this.session.baseUrl}/__transmit/events?uid=${this.uid}`, {
      headers: { cookie: this.session.header(), accept: 'text/event-stream' },
      signal: this.#controller.signal,
    })
    if (response.status !== 200 || !response.body) throw new Error(`The event stream answered ${response.status}`)
    this.ended = this.#read(response.body).catch(() => {})
    return this
  }

  async #read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of body as any) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n')
        if (!data) continue
        const parsed = JSON.parse(data)
        // Keep-alive pings are not messages of a channel
        if (String(parsed.channel).startsWith('$$transmit')) continue
        const message = { channel: parsed.channel, payload: parsed.payload, receivedAt: performance.now() }
        this.messages.push(message)
        this.onMessage?.(message)
        this.#waiters = this.#waiters.filter((w) => (w.test(message) ? (w.resolve(message), false) : true))
      }
    }
  }

  /** Status of POST /__transmit/subscribe: 204 when allowed, 400 when refused */
  async subscribe(channel: string) {
    const response = await this.session.request('/__transmit/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.session.csrf },
      body: JSON.stringify({ uid: this.uid, channel }),
    })
    await response.text()
    return response.status
  }

  /** Status of POST /__transmit/unsubscribe: 204 when done */
  async unsubscribe(channel: string) {
    const response = await this.session.request('/__transmit/unsubscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.session.csrf },
      body: JSON.stringify({ uid: this.uid, channel }),
    })
    await response.text()
    return response.status
  }

  /** Resolves with the first message (already received or to come) that passes the test */
  waitFor(test: (m: LiveMessage) => boolean) {
    const seen = this.messages.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise<LiveMessage>((resolve) => this.#waiters.push({ test, resolve }))
  }

  close() {
    this.#controller.abort()
  }
}
