/*
| Routes of the returns domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ApiRefundsController = () => import('#controllers/api/refunds_controller')
const TillReturnsController = () => import('#controllers/till/returns_controller')
const TillExchangesController = () => import('#controllers/till/exchanges_controller')

// ------------------------------------------------------------------ the till's Returns screen
router
  .group(() => {
    router.get('/returns', [TillReturnsController, 'index'])
    router.post('/returns/no-receipt', [TillReturnsController, 'noReceipt'])
    router.get('/returns/:id', [TillReturnsController, 'show'])
    router.post('/returns/:id', [TillReturnsController, 'store'])
    router.post('/returns/:id/exchange', [TillExchangesController, 'store'])
    router.get('/refunds/:id', [TillReturnsController, 'receipt'])
  })
  .prefix('/till')
  .as('till.returns')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('sell'), middleware.can('refund')])

// ------------------------------------------------------------------ REST API
router
  .group(() => {
    router.post('/sales/:id/refunds', [ApiRefundsController, 'store']).use(middleware.can('refund'))
    router.get('/refunds', [ApiRefundsController, 'index']).use(middleware.can('viewReports'))
    router.post('/refunds', [ApiRefundsController, 'withoutReceipt']).use(middleware.can('refund'))
    router.post('/sales/:id/exchanges', [ApiRefundsController, 'exchange']).use([middleware.can('refund'), middleware.can('sell')])
    router.post('/sales/:id/void', [ApiRefundsController, 'void']).use(middleware.can('voidSale'))
  })
  .prefix('/api')
  .as('api.returns')
  .use(middleware.auth({ guards: ['api'] }))

// ------------------------------------------------------------------ back office
const BackofficeReturnsController = () => import('#controllers/backoffice/returns_controller')
const BackofficeRefundsController = () => import('#controllers/backoffice/refunds_controller')

router
  .group(() => {
    router.post('/sales/:id/void', [BackofficeReturnsController, 'void']).use(middleware.can('voidSale'))
    router
      .group(() => {
        router.get('/audit', [BackofficeReturnsController, 'auditLog'])
        router.get('/audit.csv', [BackofficeReturnsController, 'auditExport'])
        router.get('/audit/chain', [BackofficeReturnsController, 'chain'])
      })
      .use(middleware.can('viewAuditLog'))
    // Every refund, those without a receipt by a filter: for those who read the reports
    router
      .group(() => {
        router.get('/refunds', [BackofficeRefundsController, 'index'])
        router.get('/refunds.csv', [BackofficeRefundsController, 'csv'])
      })
      .use(middleware.can('viewReports'))
  })
  .prefix('/backoffice')
  .as('backoffice.returns')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('useBackoffice')])
