import { DateTime } from 'luxon'
import Bridge from '#models/bridge'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import Register from '#models/register'
import Sale from '#models/sale'
import type Store from '#models/store'
import type User from '#models/user'
import { DomainError, notFound } from '#exceptions/domain_error'
import { recordAudit } from '#platform/audit_service'
import { dispatcher } from '#hardware/dispatcher'
import { registerOf } from '#hardware/pairing'
import { activeBridge } from '#hardware/jobs'

/*
| The back office's view of the hardware: each register's bridge and devices, adding and
| removing devices, the recent jobs; and the till's printer state.
*/

export interface DeviceInput {
  kind: 'printer' | 'drawer' | 'display'
  name: string
  transport: 'tcp' | 'file'
  host?: string
  port?: number
  path?: string
  printer_id?: number
  drawer_pin?: '2' | '5'
  pulse_on_ms?: number
  pulse_off_ms?: number
  columns?: number
  codepage_mapping?: string
  code_style?: 'qr' | 'barcode' | 'none'
}

export async function overview(store: Store) {
  const [registers, bridges, devices, jobs] = await Promise.all([
    Register.query().where('store_id', store.id).orderBy('id'),
    Bridge.query().where('store_id', store.id).whereNull('revoked_at').orderBy('id'),
    Device.query().where('store_id', store.id).orderBy('id'),
    PrintJob.query().where('store_id', store.id).orderBy('id', 'desc').limit(30),
  ])
  const saleNumbers = new Map<number, number | null>()
  const saleIds = [...new Set(jobs.map((j) => j.saleId).filter((id): id is number => !!id))]
  if (saleIds.length) for (const sale of await Sale.query().whereIn('id', saleIds)) saleNumbers.set(sale.id, sale.number)
  const deviceNames = new Map(devices.map((d) => [d.id, d.name]))
  return {
    registers: registers.map((register) => {
      const bridge = bridges.find((b) => b.registerId === register.id) ?? null
      const own = devices.filter((d) => d.registerId === register.id)
      return {
        register,
        bridge,
        devices: own.map((device) => ({ device, health: bridge?.status?.devices?.find((d) => d.id === device.id) ?? null })),
        printers: own.filter((d) => d.kind === 'printer'),
      }
    }),
    jobs: jobs.map((job) => ({ job, saleNumber: job.saleId ? saleNumbers.get(job.saleId) : null, deviceName: deviceNames.get(job.deviceId) ?? `#${job.deviceId} (removed)` })),
  }
}

export async function addDevice(store: Store, registerId: number, input: DeviceInput, user: User) {
  const register = await registerOf(store, registerId)
  let printerId: number | null = null
  if (input.kind === 'drawer') {
    const printer = input.printer_id ? await Device.query().where({ id: input.printer_id, register_id: register.id, kind: 'printer' }).first() : null
    if (!printer) throw new DomainError('A cash drawer opens through a printer of this register: choose its printer', { code: 'printer_required', field: 'printer_id' })
    printerId = printer.id
  }
  const device = await Device.create({
    storeId: store.id,
    registerId: register.id,
    kind: input.kind,
    name: input.name,
    transport: input.kind === 'drawer' ? 'tcp' : input.transport,
    host: input.kind !== 'drawer' && input.transport === 'tcp' ? (input.host ?? null) : null,
    port: input.kind !== 'drawer' && input.transport === 'tcp' ? (input.port ?? 9100) : null,
    path: input.kind !== 'drawer' && input.transport === 'file' ? (input.path ?? null) : null,
    printerId,
    drawerPin: input.drawer_pin === '5' ? 5 : 2,
    pulseOnMs: input.pulse_on_ms ?? 100,
    pulseOffMs: input.pulse_off_ms ?? 500,
    columns: input.columns ?? 48,
    codepageMapping: input.codepage_mapping ?? 'epson',
    codeStyle: input.code_style ?? 'qr',
  })
  await recordAudit({ action: 'device_added', storeId: store.id, userId: user.id, subjectType: 'device', subjectId: device.id, data: { kind: device.kind, name: device.name } })
  await dispatcher.devicesChanged(register.id)
  return device
}

export async function removeDevice(store: Store, deviceId: number, user: User) {
  const device = await Device.query().where({ id: deviceId, store_id: store.id }).first()
  if (!device) throw notFound('The device')
  await Device.query().where({ printer_id: device.id }).update({ printer_id: null })
  await device.delete()
  await recordAudit({ action: 'device_removed', storeId: store.id, userId: user.id, subjectType: 'device', subjectId: device.id, data: { kind: device.kind, name: device.name } })
  await dispatcher.devicesChanged(device.registerId)
  return device
}

export type Tone = 'ok' | 'warn' | 'bad'

/** A waiting job as the till's top bar names it */
const JOB_NAMES: Record<string, string> = { receipt: 'receipt', drawer: 'drawer kick', z_report: 'Z report', display: 'display text', test: 'test page' }

export interface HardwareState {
  /** The register has a printer or drawer set up */
  configured: boolean
  hasDrawer: boolean
  tone: Tone
  /** Short, for the till's top bar: "Printer offline — receipt queued" */
  message: string
  /** Why, when there is a reason (the printer's own error) */
  detail: string
  waiting: number
}

/**
 * What the till shows about its printer, never blocking a sale: ready; "Printer offline —
 * receipt queued" while jobs wait on a printer that does not answer; the bridge offline; a job
 * that gave up.
 */
export async function hardwareState(registerId: number): Promise<HardwareState> {
  const [printer, drawer, bridge] = await Promise.all([
    Device.query().where({ register_id: registerId, kind: 'printer' }).orderBy('id').first(),
    Device.query().where({ register_id: registerId, kind: 'drawer' }).orderBy('id').first(),
    activeBridge(registerId),
  ])
  const base = { configured: !!(printer || drawer), hasDrawer: !!drawer }
  if (!printer && !drawer) return { ...base, tone: 'ok', message: '', detail: '', waiting: 0 }
  if (!bridge) return { ...base, tone: 'warn', message: 'No printer bridge paired', detail: 'Print receipts from the browser, or pair a bridge under Devices', waiting: 0 }
  const pending = await PrintJob.query().where('register_id', registerId).whereIn('status', ['queued', 'sent']).orderBy('id')
  const waiting = pending.length
  // What waits, by name: one drawer kick waiting read "receipt queued"
  const queued = waiting ? ` — ${waiting === 1 ? JOB_NAMES[pending[0].kind] : `${waiting} jobs`} queued` : ''
  if (!bridge.online) return { ...base, tone: 'bad', message: `Printer bridge offline${queued}`, detail: 'Is the till computer on, and the bridge running?', waiting }
  const failing = pending.find((job) => job.attempts > 0 && job.lastError)
  const health = printer ? bridge.status?.devices?.find((d) => d.id === printer.id) : null
  // Out of paper is said as such: "Printer offline" sent the cashier to check its cable and power
  const down = (why: string) => `${/out of paper/i.test(why) ? 'Printer out of paper' : 'Printer offline'}${queued}`
  if (failing) return { ...base, tone: 'bad', message: down(failing.lastError!), detail: failing.lastError!, waiting }
  if (health && !health.ok) return { ...base, tone: 'bad', message: down(health.message ?? ''), detail: health.message, waiting }
  // A display that missed a text says nothing here: the next sale's text replaces it
  const gaveUp = await PrintJob.query()
    .where({ register_id: registerId, status: 'failed' })
    .whereNot('kind', 'display')
    .where('completed_at', '>', DateTime.utc().minus({ minutes: 15 }).toFormat('yyyy-MM-dd HH:mm:ss'))
    .orderBy('id', 'desc')
    .first()
  // A drawer kick that gave up, unless one opened it since; it said "Receipt not printed"
  const opened = gaveUp?.kind === 'drawer' && (await PrintJob.query().where({ register_id: registerId, kind: 'drawer', status: 'done' }).where('id', '>', gaveUp.id).first())
  if (gaveUp?.kind === 'drawer' && !opened) return { ...base, tone: 'bad', message: 'Drawer did not open', detail: gaveUp.lastError ?? '', waiting }
  if (gaveUp && gaveUp.kind !== 'drawer') return { ...base, tone: 'bad', message: 'Receipt not printed', detail: `${gaveUp.lastError} (reprint it from the receipt)`, waiting }
  const caveat = await PrintJob.query()
    .where({ register_id: registerId, status: 'done' })
    .whereNotNull('warning')
    .where('completed_at', '>', DateTime.utc().minus({ minutes: 5 }).toFormat('yyyy-MM-dd HH:mm:ss'))
    .orderBy('id', 'desc')
    .first()
  if (caveat) return { ...base, tone: 'warn', message: 'Printed with "?"', detail: caveat.warning!, waiting }
  return { ...base, tone: 'ok', message: waiting ? `Printing${queued}` : 'Printer ready', detail: '', waiting }
}

/** Whether a sale's receipt can go to this register's printer (a printer and a paired bridge) */
export async function canPrint(registerId: number) {
  const [printer, bridge] = await Promise.all([Device.query().where({ register_id: registerId, kind: 'printer' }).first(), activeBridge(registerId)])
  return !!(printer && bridge)
}
