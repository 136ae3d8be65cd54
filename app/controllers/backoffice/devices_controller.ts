import type { HttpContext } from '@adonisjs/core/http'
import { createPairingCode, revokeBridge, CODE_TTL_MINUTES } from '#hardware/pairing'
import { addDevice, overview, removeDevice } from '#hardware/devices'
import { queueTest, retryJob } from '#hardware/jobs'
import { deviceValidator } from '#validators/hardware'
import { appUrl } from '#config/app'
import { recordAudit } from '#platform/audit_service'

/** Registers' bridges and devices (managers: manageDevices): pair, revoke, add, remove, test */
export default class DevicesController {
  async index({ view, store, request }: HttpContext) {
    // The bridge's command names this server as the admin reached it
    return view.render('backoffice/devices/index', { ...(await overview(store)), server: serverAddress(request), pairingMinutes: CODE_TTL_MINUTES })
  }

  /** Shows a one-time code once; the bridge trades it for its token */
  async pair({ params, view, store, auth, request }: HttpContext) {
    const { code, expiresAt, register } = await createPairingCode(store, Number(params.id) || 0, auth.user!)
    return view.render('backoffice/devices/pair', { code, expiresAt, register, server: serverAddress(request), minutes: CODE_TTL_MINUTES })
  }

  async revoke({ params, response, session, store, auth, request }: HttpContext) {
    const bridge = await revokeBridge(store, Number(params.id) || 0, auth.user!, request.ip())
    session.flash('notice', `Bridge "${bridge.name}" revoked: it can no longer connect`)
    return response.redirect('/backoffice/devices')
  }

  async store({ params, request, response, session, store, auth }: HttpContext) {
    const input = await request.validateUsing(deviceValidator)
    const device = await addDevice(store, Number(params.id) || 0, input, auth.user!)
    session.flash('notice', `Device "${device.name}" added`)
    return response.redirect('/backoffice/devices')
  }

  async destroy({ params, response, session, store, auth }: HttpContext) {
    const device = await removeDevice(store, Number(params.id) || 0, auth.user!)
    session.flash('notice', `Device "${device.name}" removed`)
    return response.redirect('/backoffice/devices')
  }

  async retry({ params, response, session, store }: HttpContext) {
    const job = await retryJob(store, Number(params.id) || 0)
    session.flash('notice', `Job #${job.id} queued again`)
    return response.redirect('/backoffice/devices')
  }

  async test({ params, response, session, store, auth, request }: HttpContext) {
    const job = await queueTest(store, Number(params.id) || 0, auth.user!.id)
    // A drawer's test opens it: a no-sale like the till's Open drawer, recorded as one
    if (job.kind === 'drawer') {
      await recordAudit({ action: 'drawer_opened_no_sale', storeId: store.id, userId: auth.user!.id, subjectType: 'register', subjectId: job.registerId, data: { jobId: job.id, test: true, deviceId: Number(params.id) }, ip: request.ip() })
    }
    session.flash('notice', `Test job #${job.id} queued${job.warning ? ` (${job.warning})` : ''}`)
    return response.redirect('/backoffice/devices')
  }
}

// A name or an IPv4 address, or an IPv6 one in brackets, with a port or not
const PLAIN_HOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/

/**
 * The address a bridge connects to: APP_URL when it is set (the address people reach the POS at),
 * else the one the browser reached it at. The Host header is the client's own words, and it goes
 * into a command the admin pastes into a shell: anything but a plain host is not shown
 */
function serverAddress(request: HttpContext['request']) {
  if (appUrl) return appUrl.replace(/\/+$/, '')
  const host = request.host() ?? ''
  return `${request.protocol()}://${PLAIN_HOST.test(host) ? host : 'THIS-SERVER'}`
}
