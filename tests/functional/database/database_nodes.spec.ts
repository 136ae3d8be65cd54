import { test } from '@japa/runner'
import { connect, createServer, type Server } from 'node:net'
import mysql from 'mysql2'
import { DatabaseNodes, parseNodes } from '#platform/database_nodes'
import { backoffMs, retryReason } from '#platform/db_transaction'

/*
| Failover between database nodes (app/platform/database_nodes.ts), over real sockets: a port
| where nothing listens, a server that drops every connection, and the machine's MariaDB
| (127.0.0.1:3306). The Galera part (wsrep_ready, a killed node) is proven by npm run test:cluster.
*/

// These talk to a MariaDB on 127.0.0.1:3306 (CI has one); a machine without one skips them, saying so
const mariadbHere = await new Promise<boolean>((resolve) => {
  const socket = connect(3306, '127.0.0.1')
  socket.once('connect', () => (socket.destroy(), resolve(true)))
  socket.once('error', () => resolve(false))
})
const NO_MARIADB = 'no MariaDB on 127.0.0.1:3306'

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as any).port
      probe.close(() => resolve(port))
    })
  })
}

function connectThrough(nodes: DatabaseNodes): Promise<mysql.Connection> {
  return new Promise((resolve, reject) => {
    const connection = mysql.createConnection({ user: process.env.DB_USER ?? 'root', password: process.env.DB_PASSWORD ?? '', stream: () => nodes.openSocket() } as any)
    connection.connect((error) => {
      if (error) return reject(error)
      nodes.adopt(connection, 1, (refused) => (refused ? reject(refused) : resolve(connection)))
    })
  })
}

test.group('Database nodes: failover on real sockets', () => {
  test('DB_HOSTS is read as host:port pairs, 3306 by default', ({ assert }) => {
    assert.deepEqual(parseNodes('db1:4306, db2 ,10.0.0.9:3307'), [
      { host: 'db1', port: 4306 },
      { host: 'db2', port: 3306 },
      { host: '10.0.0.9', port: 3307 },
    ])
  })

  test('a refused node is skipped, the next takes the connection, and the first is tried again later', async ({ assert }) => {
    const dead = await unusedPort()
    const nodes = new DatabaseNodes(parseNodes(`127.0.0.1:${dead},127.0.0.1:3306`), 300)
    await assert.rejects(() => connectThrough(nodes))
    assert.isTrue(nodes.isDown({ host: '127.0.0.1', port: dead }))
    assert.equal(nodes.current().port, 3306)

    const connection = await connectThrough(nodes)
    const [rows] = await connection.promise().query('SELECT 1 + 1 AS two')
    assert.equal((rows as any)[0].two, 2)
    connection.destroy()

    await new Promise((resolve) => setTimeout(resolve, 350))
    assert.equal(nodes.current().port, dead, 'after DB_NODE_RETRY_MS the first node is preferred again')
  }).skip(!mariadbHere, NO_MARIADB)

  test('a node that drops the connection is marked down; a connection we close ourselves is not', async ({ assert, cleanup }) => {
    const nodes = new DatabaseNodes(parseNodes('127.0.0.1:3306'), 60_000)
    const connection = await connectThrough(nodes)
    connection.end()
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.isFalse(nodes.isDown({ host: '127.0.0.1', port: 3306 }), 'closing our own connection is no failure')

    // A proxy in front of MariaDB that we cut, as a killed node would
    const sockets = new Set<any>()
    const proxy: Server = createServer((client) => {
      const upstream = connect(3306, '127.0.0.1')
      sockets.add(client).add(upstream)
      client.pipe(upstream).pipe(client)
      client.on('error', () => {})
      upstream.on('error', () => {})
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    cleanup(() => void proxy.close())
    const port = (proxy.address() as any).port
    const viaProxy = new DatabaseNodes(parseNodes(`127.0.0.1:${port},127.0.0.1:3306`), 60_000)
    const doomed = await connectThrough(viaProxy)
    doomed.on('error', () => {})
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.isTrue(viaProxy.isDown({ host: '127.0.0.1', port }))
    assert.equal(viaProxy.current().port, 3306)
  })
    .skip(!mariadbHere, NO_MARIADB)

  test('what a transaction is retried for, and what it is not', ({ assert }) => {
    assert.equal(retryReason({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }), 'conflict')
    assert.equal(retryReason({ code: 'ER_LOCK_WAIT_TIMEOUT' }), 'conflict')
    assert.equal(retryReason({ code: 'ECONNREFUSED' }), 'node')
    assert.equal(retryReason({ code: 'ER_UNKNOWN_COM_ERROR', errno: 1047 }), 'node')
    assert.equal(retryReason({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true, commitOutcomeUnknown: true }), null, 'a COMMIT lost in flight may have committed')
    assert.equal(retryReason({ message: 'Transaction query already complete', transactionEnded: true }), 'node', 'a statement refused because its transaction ended under it: no COMMIT was sent')
    assert.equal(retryReason({ code: 'ER_DUP_ENTRY' }), null)
    assert.equal(retryReason(new Error('This product is out of stock')), null)
    for (let attempt = 1; attempt < 30; attempt++) {
      const wait = backoffMs(attempt)
      assert.isAtLeast(wait, 0)
      assert.isAtMost(wait, Math.min(500, 5 * 2 ** attempt))
    }
  })
})
