import { connect, type Socket } from 'node:net'
import { MYSQL_SESSION_ZONE } from '#platform/db_time'
import { isLostConnection } from '#platform/lost_connections'

/*
| Which MySQL/MariaDB server new connections go to. DB_HOSTS lists the nodes of a Galera cluster
| ("host:port,host:port,..."), in the same order on every app server, so every server writes
| through the first healthy node: writes to one store never meet on two nodes, where they would
| conflict at COMMIT (Galera's row locks are local to a node). A node is skipped from the moment
| a connection to it is refused, lost, or finds it out of the primary component (wsrep_ready
| OFF, or error 1047 "WSREP has not yet prepared node"), and tried again DB_NODE_RETRY_MS
| (30 s) later: a rejoined node takes the writes back.
| The socket is opened here (mysql2's `stream` option), so a refused or dropped connection is
| seen at the socket, whichever query or pool step it happened in.
*/

export interface DatabaseNode {
  host: string
  port: number
}

export function parseNodes(list: string): DatabaseNode[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [host, port] = entry.split(':')
      return { host, port: Number(port || 3306) }
    })
}

export class DatabaseNodes {
  readonly nodes: DatabaseNode[]
  readonly #downUntil: number[]

  constructor(
    nodes: DatabaseNode[],
    private retryMs = 30_000
  ) {
    if (!nodes.length) throw new Error('DB_HOSTS names no node')
    this.nodes = nodes
    this.#downUntil = nodes.map(() => 0)
  }

  /** The first node in the list that is not marked down (the first of all when every one is) */
  current(): DatabaseNode {
    const now = Date.now()
    const index = this.#downUntil.findIndex((until) => until <= now)
    return this.nodes[index === -1 ? this.#soonestBack() : index]
  }

  #soonestBack() {
    return this.#downUntil.indexOf(Math.min(...this.#downUntil))
  }

  markDown(node: DatabaseNode, reason: string) {
    const index = this.nodes.findIndex((n) => n.host === node.host && n.port === node.port)
    if (index === -1) return
    const wasUp = this.#downUntil[index] <= Date.now()
    this.#downUntil[index] = Date.now() + this.retryMs
    if (wasUp) {
      const next = this.current()
      warn(`Database node ${node.host}:${node.port} is down (${reason}); new connections go to ${next.host}:${next.port}`)
    }
  }

  isDown(node: DatabaseNode) {
    const index = this.nodes.findIndex((n) => n.host === node.host && n.port === node.port)
    return index !== -1 && this.#downUntil[index] > Date.now()
  }

  /** mysql2's `stream` option: a socket to the current node; a refused connection marks it down */
  openSocket(): Socket {
    const node = this.current()
    const socket = connect({ host: node.host, port: node.port })
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 10_000)
    ;(socket as any).databaseNode = node
    let connected = false
    socket.once('connect', () => (connected = true))
    socket.once('error', (error: NodeJS.ErrnoException) => connected || this.markDown(node, error.code ?? error.message))
    return socket
  }

  /**
   * For a new pooled connection (the pool's afterCreate): a connection lost without our asking
   * marks its node down; on a Galera node, the node must be in the primary component and synced
   * (wsrep_ready), and reads wait for every earlier commit of the cluster (wsrep_sync_wait); the
   * session's zone is UTC, as on a single server (config/database.ts).
   */
  adopt(connection: any, syncWait: number, done: (error: Error | null, connection: any) => void) {
    const node = nodeOf(connection)
    // Sessions in UTC as everywhere (config/database.ts); on Galera in the same SET as wsrep_sync_wait
    const zone = `SET SESSION ${MYSQL_SESSION_ZONE}`
    if (!node) return connection.query(zone, (error: any) => (error && connection.destroy(), done(error ?? null, connection)))
    // Closed by the server or the network, not by us (the pool ends idle connections with end())
    let closedByUs = false
    for (const method of ['end', 'destroy'] as const) {
      const original = connection[method].bind(connection)
      connection[method] = (...args: any[]) => ((closedByUs = true), original(...args))
    }
    connection.stream.once('close', () => closedByUs || this.markDown(node, 'connection lost'))
    this.#watchQueries(connection)
    const refuse = (reason: string) => {
      this.markDown(node, reason)
      connection.destroy()
      const error = new Error(`Database node ${node.host}:${node.port} cannot take work (${reason})`) as any
      error.code = 'ER_NODE_NOT_READY'
      done(error, connection)
    }
    // A server without Galera (a single MariaDB or MySQL in DB_HOSTS) has no wsrep state to check
    connection.query("SHOW VARIABLES LIKE 'wsrep_on'", (error: any, wsrepOn: any) => {
      if (error) return refuse(String(error.code ?? error.message))
      if (wsrepOn?.[0]?.Value !== 'ON') return connection.query(zone, (setError: any) => (setError ? refuse(String(setError.code)) : done(null, connection)))
      connection.query("SHOW STATUS LIKE 'wsrep_ready'", (statusError: any, status: any) => {
        const ready = status?.[0]?.Value
        if (statusError || ready !== 'ON') return refuse(statusError ? String(statusError.code) : `wsrep_ready is ${ready ?? 'unknown'}`)
        connection.query(`${zone}, wsrep_sync_wait = ${Number(syncWait) | 0}`, (setError: any) => (setError ? refuse(String(setError.code)) : done(null, connection)))
      })
    })
  }

  /** A query answered "this node left the cluster" (1047): the node is down, the connection spent */
  #watchQueries(connection: any) {
    const node = nodeOf(connection)!
    const query = connection.query.bind(connection)
    connection.query = (options: any, bindings: any, callback: any) => {
      if (typeof bindings === 'function') {
        callback = bindings
        bindings = undefined
      }
      if (typeof callback !== 'function') return query(options, bindings, callback)
      const sql = typeof options === 'string' ? options : options?.sql
      return query(options, bindings, (error: any, ...rest: any[]) => {
        if (error && isNodeGone(error)) {
          connection.__knex__disposed = error
          this.markDown(node, error.code ?? error.message)
          // Lost while its COMMIT was on the way: the transaction may have committed (see db_transaction.ts)
          if ((error.fatal || isLostConnection(error)) && /^\s*COMMIT/i.test(sql ?? '')) error.commitOutcomeUnknown = true
        }
        callback(error, ...rest)
      })
    }
  }
}

/** Errors that say a node is gone or out of the primary component, not that the request was wrong */
export function isNodeGone(error: any) {
  return error?.errno === 1047 || error?.code === 'ER_UNKNOWN_COM_ERROR' || error?.code === 'WSREP_NOT_READY' || error?.fatal === true
}

/** Through the app's logger, imported when first needed: this module loads with the config, before the app boots */
function warn(message: string) {
  import('@adonisjs/core/services/logger').then(({ default: logger }) => logger.warn(message), () => console.warn(message))
}

/** The node a mysql2 connection reaches (set by openSocket) */
export function nodeOf(connection: any): DatabaseNode | undefined {
  return connection?.stream?.databaseNode
}

/** The nodes of DB_HOSTS, when the app runs on a cluster; null for one server (DB_HOST) */
export const clusterNodes = process.env.DB_HOSTS
  ? new DatabaseNodes(parseNodes(process.env.DB_HOSTS), Number(process.env.DB_NODE_RETRY_MS ?? 30_000))
  : null
