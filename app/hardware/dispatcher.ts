import { PassThrough } from 'node:stream'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type Bridge from '#models/bridge'
import Device from '#models/device'
import { dbTimestamp } from '#platform/db_time'
import { affectedRows } from '#platform/db_transaction'
import { MOMENTARY_KINDS, momentaryCutoff, momentaryGaveUp } from '#hardware/momentary'

/*
| Pushes jobs to the bridges connected to this server over their event streams. Jobs live in
| the database, so a bridge that (re)connects gets every pending job of its register, including
| the ones sent to it before that it never acknowledged (it remembers what it printed and acks
| those without printing again). A new job is pushed at once in this process; every second the
| table is polled too, so a job queued by another app server, or due again after a failed
| attempt, goes out as well. A job is claimed with a conditional update (queued -> sent), so
| two servers never both send it.
*/

const POLL_MS = 1000
/** A sent job the bridge never answered goes back to the queue after this long */
const SENT_TIMEOUT_S = 120

interface Connection {
  bridge: Bridge
  stream: PassThrough
}

export function sse(event: string, data: unknown) {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

export function describeDevice(device: Device) {
  return {
    id: device.id,
    kind: device.kind,
    name: device.name,
    transport: device.transport,
    host: device.host,
    port: device.port ?? 9100,
    path: device.path,
  }
}

class Dispatcher {
  private connections = new Map<number, Connection>()
  private timer: NodeJS.Timeout | null = null
  private busy = new Set<number>()
  private ticks = 0

  /** A bridge connected: greet it with its devices, then send what is pending */
  async attach(bridge: Bridge, stream: PassThrough) {
    const previous = this.connections.get(bridge.id)
    if (previous) previous.stream.end()
    this.connections.set(bridge.id, { bridge, stream })
    const devices = await Device.query().where('register_id', bridge.registerId).orderBy('id')
    stream.write(sse('hello', { bridgeId: bridge.id, registerId: bridge.registerId, devices: devices.map(describeDevice) }))
    await this.deliver(bridge.id, true)
    this.start()
  }

  detach(bridgeId: number, stream: PassThrough) {
    if (this.connections.get(bridgeId)?.stream === stream) this.connections.delete(bridgeId)
    if (!this.connections.size) this.stop()
  }

  /** Tells a connected bridge it was revoked and closes its stream */
  revoke(bridgeId: number) {
    const connection = this.connections.get(bridgeId)
    if (!connection) return
    connection.stream.write(sse('revoked', { message: 'This bridge was revoked in the back office' }))
    connection.stream.end()
    this.connections.delete(bridgeId)
  }

  /** A job was queued for a register: push it now if its bridge is connected here */
  poke(registerId: number) {
    for (const connection of this.connections.values()) {
      if (connection.bridge.registerId === registerId) this.deliver(connection.bridge.id, false).catch(() => {})
    }
  }

  /** Devices changed: the bridge gets the new list (it probes them for the health report) */
  async devicesChanged(registerId: number) {
    for (const connection of this.connections.values()) {
      if (connection.bridge.registerId !== registerId) continue
      const devices = await Device.query().where('register_id', registerId).orderBy('id')
      connection.stream.write(sse('devices', { devices: devices.map(describeDevice) }))
    }
  }

  get connectedIds() {
    return [...this.connections.keys()]
  }

  private start() {
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), POLL_MS)
    this.timer.unref()
  }

  private stop() {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private async tick() {
    this.ticks++
    try {
      if (this.ticks % 10 === 0) {
        const stale = dbTimestamp(DateTime.utc().minus({ seconds: SENT_TIMEOUT_S }))
        await db.from('print_jobs').where('status', 'sent').where('sent_at', '<', stale).update({ status: 'queued', updated_at: dbTimestamp() })
      }
      const now = dbTimestamp()
      for (const { bridge } of this.connections.values()) {
        await this.deliver(bridge.id, false)
        // a connected bridge is alive (its health reports say so too, every 10 s)
        if (this.ticks % 5 === 0) await db.from('bridges').where('id', bridge.id).update({ last_seen_at: now })
      }
    } catch (error) {
      logger.warn({ err: error }, 'hardware dispatcher: poll failed')
    }
  }

  /**
   * Claims and sends the due jobs of a connected bridge's register (and, on connect, the jobs
   * already sent to it). One delivery at a time per bridge keeps the order.
   */
  private async deliver(bridgeId: number, resendSent: boolean) {
    if (this.busy.has(bridgeId) && !resendSent) return
    this.busy.add(bridgeId)
    try {
      const connection = this.connections.get(bridgeId)
      if (!connection) return
      const { bridge, stream } = connection
      const now = dbTimestamp()
      const query = db
        .from('print_jobs')
        .where('register_id', bridge.registerId)
        .where((q) => {
          q.where((due) => due.where('status', 'queued').where('next_attempt_at', '<=', now))
          if (resendSent) q.orWhere((sent) => sent.where('status', 'sent').where('bridge_id', bridge.id))
        })
        .orderBy('id')
        .limit(50)
        // A drawer kick or a display's text queued too long ago is not sent (momentary.ts)
        .select('*', db.raw(`CASE WHEN kind IN (${MOMENTARY_KINDS.map(() => '?').join(', ')}) AND created_at < ? THEN 1 ELSE 0 END AS expired`, [...MOMENTARY_KINDS, momentaryCutoff()]))
      const jobs = await query
      for (const job of jobs) {
        if (Number(job.expired)) {
          const when = dbTimestamp()
          await db
            .from('print_jobs')
            .where('id', job.id)
            .whereIn('status', ['queued', 'sent'])
            .update({ status: 'failed', last_error: momentaryGaveUp(job.kind, job.last_error).slice(0, 500), completed_at: when, updated_at: when })
          continue
        }
        if (job.status === 'queued') {
          const claimed = affectedRows(
            await db
              .from('print_jobs')
              .where({ id: job.id, status: 'queued' })
              .update({ status: 'sent', bridge_id: bridge.id, sent_at: dbTimestamp(), updated_at: dbTimestamp() })
          )
          if (!claimed) continue
        }
        const device = await Device.query().where({ id: job.device_id, register_id: bridge.registerId }).first()
        if (!device) {
          const when = dbTimestamp()
          await db
            .from('print_jobs')
            .where('id', job.id)
            .update({ status: 'failed', last_error: `Device #${job.device_id} does not exist (removed?): nothing was printed`, completed_at: when, updated_at: when })
          continue
        }
        if (stream.writableEnded) return
        stream.write(sse('job', { id: job.id, kind: job.kind, device: describeDevice(device), data: job.payload }))
      }
    } finally {
      this.busy.delete(bridgeId)
    }
  }

  closeAll() {
    for (const { stream } of this.connections.values()) stream.end()
    this.connections.clear()
    this.stop()
  }
}

export const dispatcher = new Dispatcher()
