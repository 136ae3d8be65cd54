import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Device from '#models/device'
import Bridge from '#models/bridge'
import PrintJob, { type PrintJobKind } from '#models/print_job'
import type Store from '#models/store'
import Sale from '#models/sale'
import { notFound, DomainError } from '#exceptions/domain_error'
import { dbTimestamp } from '#platform/db_time'
import { affectedRows } from '#platform/db_transaction'
import ReceiptService from '#sales/receipt_service'
import { encodeDisplay, encodeDocument, encodeDrawerPulse, encodeReceipt, type Encoded } from '#hardware/escpos'
import { dispatcher } from '#hardware/dispatcher'
import { isMomentary, momentaryGaveUp, queuedTooLongAgo } from '#hardware/momentary'

/*
| The job queue. A job is a row: queued -> sent (pushed to the register's bridge) -> done, or
| back to queued with a growing pause after a failed attempt (1 s, 2 s, 4 s ... at most 30 s),
| until MAX_ATTEMPTS, then failed (a reprint queues it afresh); a drawer kick or a display's text
| gives up after a minute instead (momentary.ts). The bytes are encoded here when
| the job is queued, so the bridge only moves them to the device.
*/

export const MAX_ATTEMPTS = 40
export const backoffSeconds = (attempts: number) => Math.min(30, 2 ** Math.max(0, attempts - 1))

const describeMissing = (chars: string[]) =>
  chars.length ? `The printer's code pages lack ${chars.map((c) => `"${c}"`).join(', ')}: printed as "?"` : null

/** The register's printer, if it has one */
export async function printerOf(registerId: number) {
  return Device.query().where({ register_id: registerId, kind: 'printer' }).orderBy('id').first()
}

/** Whether the register has a bridge that is paired (and not revoked) */
export async function activeBridge(registerId: number) {
  return Bridge.query().where('register_id', registerId).whereNull('revoked_at').orderBy('id', 'desc').first()
}

interface NewJob {
  storeId: number
  registerId: number
  deviceId: number
  kind: PrintJobKind
  encoded: Encoded
  saleId?: number | null
  uniqueKey?: string | null
  createdBy?: number | null
}

async function enqueue(job: NewJob): Promise<PrintJob | null> {
  try {
    const created = await PrintJob.create({
      storeId: job.storeId,
      registerId: job.registerId,
      deviceId: job.deviceId,
      kind: job.kind,
      saleId: job.saleId ?? null,
      uniqueKey: job.uniqueKey ?? null,
      payload: Buffer.from(job.encoded.data).toString('base64'),
      status: 'queued',
      attempts: 0,
      nextAttemptAt: DateTime.utc(),
      warning: describeMissing(job.encoded.unencodable),
      createdBy: job.createdBy ?? null,
    })
    dispatcher.poke(job.registerId)
    return created
  } catch (error: any) {
    // the unique key says this job is queued already (a sale's receipt, once)
    if (job.uniqueKey && /unique|duplicate/i.test(String(error?.message ?? error?.code))) return null
    throw error
  }
}

/** `atSale`: the receipt printed as the sale completes; a reprint says its points balance is today's */
async function encodeSaleReceipt(store: Store, saleId: number, printer: Device, atSale = false) {
  const receipt = await new ReceiptService().forSale(store, saleId, { atSale })
  return encodeReceipt(receipt, { columns: printer.columns, codepageMapping: printer.codepageMapping as any, code: printer.codeStyle })
}

/**
 * A completed sale's receipt, for the register's printer when the register has a paired
 * bridge; nothing otherwise (the till offers the browser's print dialog). Queued once per sale.
 */
export async function queueSaleReceipt(saleId: number) {
  const sale = await Sale.find(saleId)
  if (!sale || sale.status !== 'completed') return null
  const [printer, bridge] = await Promise.all([printerOf(sale.registerId), activeBridge(sale.registerId)])
  if (!printer || !bridge) return null
  const store = await sale.related('store').query().firstOrFail()
  const encoded = await encodeSaleReceipt(store, sale.id, printer, true)
  return enqueue({ storeId: store.id, registerId: sale.registerId, deviceId: printer.id, kind: 'receipt', encoded, saleId: sale.id, uniqueKey: `receipt:${sale.id}` })
}

/**
 * A reprint: the sale's receipt again, on the printer of the given register (default: the
 * sale's). While a receipt of the sale still waits for that printer (out of paper, switched off),
 * the cashier's natural "Reprint" tries it again now instead: a second job printed a second copy
 * the moment the printer came back. `waiting` says so.
 */
export async function queueReprint(store: Store, saleId: number, userId: number, registerId?: number | null): Promise<{ job: PrintJob; waiting: boolean }> {
  const sale = await Sale.query().where({ id: saleId, store_id: store.id }).first()
  if (!sale) throw notFound('The sale')
  const target = registerId ?? sale.registerId
  const printer = await requirePrinter(store, target)
  const pending = await PrintJob.query().where({ sale_id: sale.id, device_id: printer.id, kind: 'receipt' }).whereIn('status', ['queued', 'sent']).orderBy('id').first()
  if (pending) {
    await db.from('print_jobs').where({ id: pending.id, status: 'queued' }).update({ next_attempt_at: dbTimestamp(), updated_at: dbTimestamp() })
    dispatcher.poke(target)
    return { job: pending, waiting: true }
  }
  const encoded = await encodeSaleReceipt(store, sale.id, printer)
  const job = (await enqueue({ storeId: store.id, registerId: target, deviceId: printer.id, kind: 'receipt', encoded, saleId: sale.id, createdBy: userId }))!
  return { job, waiting: false }
}

/** What the cashier or manager is told after Reprint */
export function reprintMessage({ job, waiting }: { job: PrintJob; waiting: boolean }) {
  if (!waiting) return `Receipt sent to the printer.`
  return `This receipt is already waiting for the printer (${job.lastError ?? 'it has not answered yet'}): it was tried again now, and prints once the printer answers. No second copy was queued.`
}

async function requirePrinter(store: Store, registerId: number) {
  const printer = await Device.query().where({ register_id: registerId, store_id: store.id, kind: 'printer' }).orderBy('id').first()
  if (!printer) throw new DomainError('This register has no receipt printer. Add one under Devices, or print from the browser.', { code: 'no_printer', status: 409 })
  if (!(await activeBridge(registerId))) {
    throw new DomainError('This register has no paired hardware bridge. Pair one under Devices, or print from the browser.', { code: 'no_bridge', status: 409 })
  }
  return printer
}

/** The register's first cash drawer */
export async function drawerOf(storeId: number, registerId: number) {
  return Device.query().where({ register_id: registerId, store_id: storeId, kind: 'drawer' }).orderBy('id').first()
}

/** The drawer-kick pulse through the printer the drawer hangs off; `uniqueKey` makes it once per sale or refund */
export function queueDrawerPulse(drawer: Device, job: { createdBy?: number | null; saleId?: number | null; uniqueKey?: string | null }) {
  const encoded = { data: encodeDrawerPulse(drawer.drawerPin === 5 ? 5 : 2, drawer.pulseOnMs, drawer.pulseOffMs), unencodable: [] }
  return enqueue({ storeId: drawer.storeId, registerId: drawer.registerId, deviceId: drawer.printerId ?? drawer.id, kind: 'drawer', encoded, ...job })
}

/** Open drawer on the till: the drawer-kick pulse without a sale (the register's first drawer) */
export async function queueDrawerOpen(store: Store, registerId: number, userId: number) {
  const drawer = await drawerOf(store.id, registerId)
  if (!drawer) throw new DomainError('This register has no cash drawer set up', { code: 'no_drawer', status: 409 })
  if (!(await activeBridge(registerId))) {
    throw new DomainError('This register has no paired hardware bridge', { code: 'no_bridge', status: 409 })
  }
  return (await queueDrawerPulse(drawer, { createdBy: userId }))!
}

/** A test page (or a display's test text) on one device of the store */
export async function queueTest(store: Store, deviceId: number, userId: number) {
  const device = await Device.query().where({ id: deviceId, store_id: store.id }).first()
  if (!device) throw notFound('The device')
  if (!(await activeBridge(device.registerId))) {
    throw new DomainError('This register has no paired hardware bridge', { code: 'no_bridge', status: 409 })
  }
  let encoded: Encoded
  if (device.kind === 'display') encoded = encodeDisplay([store.name, 'Test OK'])
  else if (device.kind === 'drawer') encoded = { data: encodeDrawerPulse(device.drawerPin === 5 ? 5 : 2, device.pulseOnMs, device.pulseOffMs), unencodable: [] }
  else {
    encoded = encodeDocument('TEST PAGE', [
      [store.name, ''],
      ['Printer', device.name],
      ['Address', device.address],
      ['Accents', 'àéîõü ç ñ €'],
      ['Turkish', 'ğışçöü İĞŞ'],
      ['Cyrillic', 'Привет'],
      ['Printed at', DateTime.now().setZone(store.timeZone).toFormat('yyyy-LL-dd HH:mm')],
    ], { columns: device.columns, codepageMapping: device.codepageMapping as any })
  }
  const target = device.kind === 'drawer' ? (device.printerId ?? device.id) : device.id
  return (await enqueue({ storeId: store.id, registerId: device.registerId, deviceId: target, kind: device.kind === 'display' ? 'display' : device.kind === 'drawer' ? 'drawer' : 'test', encoded, createdBy: userId }))!
}

/** Text on the register's customer display (two lines of 20) */
export async function queueDisplay(registerId: number, lines: string[]) {
  const display = await Device.query().where({ register_id: registerId, kind: 'display' }).orderBy('id').first()
  if (!display || !(await activeBridge(registerId))) return null
  return enqueue({ storeId: display.storeId, registerId, deviceId: display.id, kind: 'display', encoded: encodeDisplay(lines) })
}

/** A Z report (or any end-of-day document) printed on the register's printer */
export async function queueZReport(store: Store, registerId: number, title: string, rows: [string, string][], userId?: number) {
  const printer = await requirePrinter(store, registerId)
  const encoded = encodeDocument(title, rows, { columns: printer.columns, codepageMapping: printer.codepageMapping as any })
  return (await enqueue({ storeId: store.id, registerId, deviceId: printer.id, kind: 'z_report', encoded, createdBy: userId ?? null }))!
}

/** A job of the bridge's register, or a 404 (looked up before the bridge's report is read, so a job not its own is a 404 whatever it sent) */
export async function jobOfBridge(bridge: Bridge, jobId: number) {
  const job = await PrintJob.query().where({ id: jobId, register_id: bridge.registerId }).first()
  if (!job) throw notFound('The job')
  return job
}

/**
 * The bridge's outcome of a job. Done is final and idempotent (a repeated ack changes
 * nothing); a failure goes back to the queue with a pause, or fails for good after
 * MAX_ATTEMPTS or when retrying cannot help.
 */
export async function recordResult(bridge: Bridge, jobId: number, outcome: { ok: boolean; error?: string | null; permanent?: boolean }) {
  const job = await jobOfBridge(bridge, jobId)
  const now = DateTime.utc()
  if (outcome.ok) {
    await db
      .from('print_jobs')
      .where('id', job.id)
      .whereNot('status', 'done')
      .update({ status: 'done', completed_at: dbTimestamp(now), last_error: null, bridge_id: bridge.id, updated_at: dbTimestamp(now) })
    return PrintJob.findOrFail(job.id)
  }
  if (job.status === 'done') return job
  const attempts = job.attempts + 1
  const error = String(outcome.error || 'The bridge reported a failure').slice(0, 500)
  const expired = isMomentary(job.kind) && (await queuedTooLongAgo(job.id, now))
  const giveUp = outcome.permanent || attempts >= MAX_ATTEMPTS || expired
  await db
    .from('print_jobs')
    .where('id', job.id)
    .whereIn('status', ['sent', 'queued'])
    .update({
      status: giveUp ? 'failed' : 'queued',
      attempts,
      last_error: expired ? momentaryGaveUp(job.kind, error).slice(0, 500) : error,
      next_attempt_at: dbTimestamp(now.plus({ seconds: backoffSeconds(attempts) })),
      completed_at: giveUp ? dbTimestamp(now) : null,
      updated_at: dbTimestamp(now),
    })
  return PrintJob.findOrFail(job.id)
}

/** Marks a job failed for good from the server side (its device is gone) */
export async function failJob(jobId: number, error: string) {
  const now = dbTimestamp()
  return affectedRows(
    await db.from('print_jobs').where('id', jobId).whereIn('status', ['queued', 'sent']).update({ status: 'failed', last_error: error, completed_at: now, updated_at: now })
  )
}

/** A failed job queued again from the back office (after the paper was changed, say) */
export async function retryJob(store: Store, jobId: number) {
  const job = await PrintJob.query().where({ id: jobId, store_id: store.id }).first()
  if (!job) throw notFound('The job')
  if (job.status !== 'failed') throw new DomainError(`Job #${job.id} is ${job.status}: only a failed job can be retried`, { code: 'not_failed', status: 409 })
  // Past its minute, it would give up again at once; and a drawer opened now, from the back
  // office, may be far from anyone at the till (momentary.ts)
  if (isMomentary(job.kind)) {
    const instead = job.kind === 'drawer' ? 'press Open drawer on the till' : 'the next sale shows its own total'
    throw new DomainError(`Job #${job.id} (${job.kind === 'drawer' ? 'a drawer kick' : 'a display’s text'}) is now or never and is not retried: ${instead}`, { code: 'not_retried', status: 409 })
  }
  const now = dbTimestamp()
  await db
    .from('print_jobs')
    .where({ id: job.id, status: 'failed' })
    .update({ status: 'queued', attempts: 0, next_attempt_at: now, completed_at: null, updated_at: now })
  dispatcher.poke(job.registerId)
  return job
}
