import type { HttpContext } from '@adonisjs/core/http'

/** The start page depends on the role: cashiers go to the till, everyone else to the back office */
export default class HomeController {
  async handle({ auth, response }: HttpContext) {
    return response.redirect(auth.user!.role === 'cashier' ? '/till' : '/backoffice')
  }
}
