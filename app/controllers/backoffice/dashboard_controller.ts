import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import DashboardService from '#reports/dashboard_service'
import { latestSales } from '#platform/live_updates_service'

@inject()
export default class DashboardController {
  constructor(private dashboard: DashboardService) {}

  async handle({ view, store }: HttpContext) {
    const [today, lowStock, latest] = await Promise.all([this.dashboard.today(store), this.dashboard.lowStock(store), latestSales(store.id)])
    return view.render('backoffice/dashboard', { today, lowStock, latestSales: latest })
  }
}
