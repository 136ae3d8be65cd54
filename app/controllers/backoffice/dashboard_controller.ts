import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import DashboardService, { LOW_STOCK_THRESHOLD } from '#services/dashboard_service'

@inject()
export default class DashboardController {
  constructor(private dashboard: DashboardService) {}

  async handle({ view, store }: HttpContext) {
    const [today, lowStock] = await Promise.all([this.dashboard.today(store), this.dashboard.lowStock(store)])
    return view.render('backoffice/dashboard', { today, lowStock, threshold: LOW_STOCK_THRESHOLD })
  }
}
