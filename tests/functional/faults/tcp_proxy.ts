import { createServer, connect, type Server, type Socket } from 'node:net'

/*
| A TCP proxy in front of a real server (MariaDB, Redis) that a test can cut and restore: cut
| closes the listener and drops every open connection, as a crashed server or a pulled cable.
*/
export class TcpProxy {
  #server: Server | null = null
  #sockets = new Set<Socket>()

  constructor(
    public port: number,
    public target: { host: string; port: number }
  ) {}

  async start() {
    this.#server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host)
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('close', () => this.#sockets.delete(socket))
        socket.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject)
      this.#server!.listen(this.port, '127.0.0.1', () => resolve())
    })
    return this
  }

  async cut() {
    const server = this.#server
    this.#server = null
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
    if (server) await new Promise((resolve) => server.close(resolve))
  }
}
