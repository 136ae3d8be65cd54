import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import DashboardService from '#reports/dashboard_service'
import { latestSales, stockLevels } from '#platform/live_updates_service'

/** What live pages re-read after a reconnect or an event: stock figures and dashboard fragments */
@inject()
export default class LiveController {
  constructor(private dashboard: DashboardService) {}

  async stock({ request, store }: HttpContext) {
    const ids = String(request.input('ids') ?? '')
      .split(',')
      .slice(0, 500)
      .map((id) => Number(id))
    return { products: await stockLevels(store.id, ids) }
  }

  async lowStock({ view, store }: HttpContext) {
    return view.render('backoffice/_low_stock', { lowStock: await this.dashboard.lowStock(store) })
  }

  async ticker({ view, store }: HttpContext) {
    return view.render('backoffice/_ticker', { latestSales: await latestSales(store.id) })
  }

  async today({ view, store }: HttpContext) {
    return view.render('backoffice/_today', { today: await this.dashboard.today(store) })
  }
}
