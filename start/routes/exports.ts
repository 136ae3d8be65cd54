/*
| Routes of the accounting exports: the accountant's Exports page and the API download.
| Imported by start/routes.ts.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ExportsController = () => import('#controllers/backoffice/exports_controller')
const ApiExportsController = () => import('#controllers/api/exports_controller')

router
  .group(() => {
    router.get('/exports', [ExportsController, 'show'])
    router.post('/exports', [ExportsController, 'download'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('exportAccounting')])

router
  .group(() => {
    router.get('/exports', [ApiExportsController, 'index'])
    router.get('/exports/:exporter', [ApiExportsController, 'show'])
  })
  .prefix('/api')
  .use(middleware.auth({ guards: ['api'] }))
