/*
| Routes of the offline till: what a till fetches while online so it can sell without the
| server (catalog, settings, its register's lease) and where it syncs its offline sales; and
| the managers' review list. Imported by start/routes.ts.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const TillOfflineController = () => import('#controllers/till/offline_controller')
const OfflineReviewsController = () => import('#controllers/backoffice/offline_reviews_controller')

router
  .group(() => {
    router.get('/settings', [TillOfflineController, 'settings'])
    router.get('/catalog', [TillOfflineController, 'catalogPage'])
    router.post('/lease', [TillOfflineController, 'lease'])
    router.post('/sales', [TillOfflineController, 'storeSales'])
    router.post('/handoff', [TillOfflineController, 'handOver'])
  })
  .prefix('/till/offline')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('sell')])

router
  .group(() => {
    router.get('/offline', [OfflineReviewsController, 'index'])
    router.get('/offline/:id', [OfflineReviewsController, 'show']).where('id', router.matchers.number())
    router.post('/offline/:id/resolve', [OfflineReviewsController, 'resolve'])
    router.post('/offline/:id/record', [OfflineReviewsController, 'record'])
    router.post('/offline/:id/dismiss', [OfflineReviewsController, 'dismiss'])
    router.post('/offline/registers/:id/release', [OfflineReviewsController, 'release'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('approveOverrides')])
