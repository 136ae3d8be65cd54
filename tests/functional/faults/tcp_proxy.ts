import { createServer, connect, type Server, type Socket } from 'node:net'

/*
| A TCP proxy in front of a real server (MariaDB, Redis) that a test can cut, freeze and restore:
| cut closes the listener and drops every open connection, as a crashed server or a pulled cable
| (new connections are refused); freeze keeps every connection open and accepts new ones, but
| nothing passes any more, either way, as a server that hangs or a network that drops packets
| (nothing refuses, nothing answers). holdCloses keeps an idle connection the server closed open on
| the app's side until the app sends on it, then closes it: the app learns of the close only from its
| next query, as when the server closed it just as that query was sent (or a network device between
| them passed no close on).
*/
export class TcpProxy {
  #server: Server | null = null
  #sockets = new Set<Socket>()
  #upstreams = new Set<Socket>()
  #frozen = false
  #freezeAfter: { armedBy: RegExp; then: RegExp } | null = null
  #holdCloses = false
  #sayKilled = false

  constructor(
    public port: number,
    public target: { host: string; port: number }
  ) {}

  async start() {
    this.#frozen = false
    this.#server = createServer((client) => {
      this.#keep(client)
      // Frozen: the connection is taken and never answered (not even the server's greeting)
      if (this.#frozen) return
      const upstream = connect(this.target.port, this.target.host)
      this.#keep(upstream)
      this.#upstreams.add(upstream)
      upstream.on('close', () => this.#upstreams.delete(upstream))
      for (const socket of [client, upstream]) {
        socket.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      let armed = false
      let serverClosed = false
      // Whether the app sent something since the server last answered: the close of a connection
      // waiting for an answer is passed on (the app would see it), only an idle one's is held
      let waiting = false
      client.on('data', (chunk) => {
        if (serverClosed) return void client.end()
        if (this.#frozen) return
        waiting = true
        upstream.write(chunk)
        const after = this.#freezeAfter
        if (!after) return
        const text = chunk.toString('latin1')
        armed ||= after.armedBy.test(text)
        if (armed && after.then.test(text)) {
          this.#freezeAfter = null
          this.#frozen = true
        }
      })
      upstream.on('data', (chunk) => {
        if (this.#frozen) return
        waiting = false
        client.write(chunk)
      })
      client.on('end', () => upstream.end())
      upstream.on('end', () => {
        if (this.#holdCloses && !waiting) return void (serverClosed = true)
        // The answer to the query waiting (sequence 1 after its COM_QUERY): an ERR packet
        if (this.#sayKilled && waiting) client.write(killedPacket())
        client.end()
      })
    })
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject)
      this.#server!.listen(this.port, '127.0.0.1', () => resolve())
    })
    return this
  }

  #keep(socket: Socket) {
    this.#sockets.add(socket)
    socket.on('close', () => this.#sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }

  /** Nothing passes from now on; connections stay open and new ones are taken, unanswered */
  freeze() {
    this.#frozen = true
  }

  /** From now on, an idle connection the server closes stays open to the app until the app sends on it */
  holdCloses() {
    this.#holdCloses = true
  }

  /**
   * From now on, a connection the server closes while the app waits for an answer is answered
   * "Connection was killed" (ER_CONNECTION_KILLED, 1927) before it closes, as MaxScale in front of
   * a cluster says it, and as MariaDB does where its KILL does not shut the socket first
   */
  sayKilled() {
    this.#sayKilled = true
  }

  /** The local ports of the connections to the server (MariaDB's processlist shows them as the client's) */
  serverSidePorts(): number[] {
    return [...this.#upstreams].map((socket) => socket.localPort!)
  }

  /**
   * Freezes just after a connection that sent `armedBy` sends `then` (both passed on): the server
   * gets a COMMIT and commits, and its answer never comes back (the outcome unknown to the app)
   */
  freezeAfter(armedBy: RegExp, then: RegExp) {
    this.#freezeAfter = { armedBy, then }
  }

  async cut() {
    const server = this.#server
    this.#server = null
    this.#frozen = false
    this.#freezeAfter = null
    this.#holdCloses = false
    this.#sayKilled = false
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
    if (server) await new Promise((resolve) => server.close(resolve))
  }

  /** Back to passing everything, on new connections: what was sent while frozen is lost with its connection */
  async restore() {
    await this.cut()
    await this.start()
  }
}

/** A MySQL protocol ERR packet, the answer to a query: 1927, SQLSTATE 70100, "Connection was killed" */
function killedPacket() {
  const message = Buffer.from('#70100Connection was killed', 'latin1')
  const payload = Buffer.concat([Buffer.from([0xff, 1927 & 0xff, 1927 >> 8]), message])
  return Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 1]), payload])
}
