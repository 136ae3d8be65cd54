import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import CategoryService from '#catalog/category_service'
import { categoryValidator } from '#validators/catalog'

@inject()
export default class CategoriesController {
  constructor(private categories: CategoryService) {}

  async index({ view, store }: HttpContext) {
    return view.render('backoffice/categories/index', { rows: await this.categories.list(store) })
  }

  async create({ view }: HttpContext) {
    return view.render('backoffice/categories/form', { category: null, values: { position: 0 } })
  }

  async store({ request, response, session, store }: HttpContext) {
    const input = await request.validateUsing(categoryValidator)
    const category = await this.categories.create(store, input)
    session.flash('notice', `Category "${category.name}" created`)
    return response.redirect('/backoffice/categories')
  }

  async edit({ params, view, store }: HttpContext) {
    const category = await this.categories.find(store, params.id)
    return view.render('backoffice/categories/form', {
      category,
      values: { name: category.name, color: category.color ?? '', position: category.position },
    })
  }

  async update({ params, request, response, session, store }: HttpContext) {
    const category = await this.categories.find(store, params.id)
    const input = await request.validateUsing(categoryValidator)
    await this.categories.update(store, category, input)
    session.flash('notice', `Category "${category.name}" saved`)
    return response.redirect('/backoffice/categories')
  }

  async destroy({ params, response, session, store, auth }: HttpContext) {
    const category = await this.categories.find(store, params.id)
    const products = await this.categories.delete(store, category, auth.user!)
    session.flash(
      'notice',
      products
        ? `Category "${category.name}" deleted; its ${products} product${products === 1 ? '' : 's'} are now uncategorised`
        : `Category "${category.name}" deleted`
    )
    return response.redirect('/backoffice/categories')
  }
}
