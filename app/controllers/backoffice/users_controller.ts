import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { ROLES } from '#models/user'
import StaffService from '#staff/staff_service'
import { keepThisSession } from '#staff/sessions'
import { createUserValidator, updateUserValidator } from '#validators/users'

/** Staff accounts (admins only: the route checks manageUsers). "Delete" deactivates. */
@inject()
export default class UsersController {
  constructor(private staff: StaffService) {}

  async index({ view, store }: HttpContext) {
    return view.render('backoffice/users/index', { users: await this.staff.list(store) })
  }

  async create({ view }: HttpContext) {
    return view.render('backoffice/users/form', { user: null, values: { role: 'cashier', active: true }, roleOptions })
  }

  async store({ request, response, session, store, auth }: HttpContext) {
    const input = await request.validateUsing(createUserValidator, { data: withCheckbox(request.all(), 'active') })
    const user = await this.staff.create(store, { ...input, active: !!input.active }, auth.user!, request.ip())
    session.flash('notice', `User "${user.name}" created`)
    return response.redirect('/backoffice/users')
  }

  async edit({ params, view, store }: HttpContext) {
    const user = await this.staff.find(store, params.id)
    const values = { name: user.name, email: user.email, role: user.role, active: user.active }
    return view.render('backoffice/users/form', { user, values, roleOptions })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, store, auth } = ctx
    const user = await this.staff.find(store, params.id)
    const input = await request.validateUsing(updateUserValidator, { data: withCheckbox(request.all(), 'active') })
    await this.staff.update(store, user, { ...input, active: !!input.active }, auth.user!, request.ip())
    // An admin who sets their own password stays signed in here; their other sessions end
    if (user.id === auth.user!.id) await keepThisSession(ctx, user)
    session.flash('notice', `User "${user.name}" saved`)
    return response.redirect('/backoffice/users')
  }

  async destroy({ params, response, session, store, auth, request }: HttpContext) {
    const user = await this.staff.find(store, params.id)
    await this.staff.deactivate(store, user, auth.user!, request.ip())
    session.flash('notice', `User "${user.name}" deactivated: they can no longer sign in`)
    return response.redirect('/backoffice/users')
  }
}

const roleOptions = ROLES.map((role) => ({ value: role, label: role[0].toUpperCase() + role.slice(1) }))

/** The checkbox component sends a hidden "" before the box: a ticked box arrives as ["", "on"] */
function withCheckbox(body: Record<string, any>, name: string) {
  return { ...body, [name]: [body[name]].flat().includes('on') ? 'on' : undefined }
}
