import type { HttpContext } from '@adonisjs/core/http'
import { createPairingCode, revokeBridge, CODE_TTL_MINUTES } from '#hardware/pairing'
import { addDevice, overview, removeDevice } from '#hardware/devices'
import { queueTest, retryJob } from '#hardware/jobs'
import { deviceValidator } from '#validators/hardware'

/** Registers' bridges and devices (managers: manageDevices): pair, revoke, add, remove, test */
export default class DevicesController {
  async index({ view, store }: HttpContext) {
    return view.render('backoffice/devices/index', await overview(store))
  }

  /** Shows a one-time code once; the bridge trades it for its token */
  async pair({ params, view, store, auth, request }: HttpContext) {
    const { code, expiresAt, register } = await createPairingCode(store, Number(params.id) || 0, auth.user!)
    const server = `${request.protocol()}://${request.host()}`
    return view.render('backoffice/devices/pair', { code, expiresAt, register, server, minutes: CODE_TTL_MINUTES })
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

  async test({ params, response, session, store, auth }: HttpContext) {
    const job = await queueTest(store, Number(params.id) || 0, auth.user!.id)
    session.flash('notice', `Test job #${job.id} queued${job.warning ? ` (${job.warning})` : ''}`)
    return response.redirect('/backoffice/devices')
  }
}
