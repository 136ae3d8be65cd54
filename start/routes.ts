import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SessionController = () => import('#controllers/session_controller')
const SetupController = () => import('#controllers/setup_controller')
const HomeController = () => import('#controllers/home_controller')
const VendorAssetsController = () => import('#controllers/vendor_assets_controller')
const ScriptBundlesController = () => import('#controllers/script_bundles_controller')
const HealthController = () => import('#controllers/health_controller')

const TillController = () => import('#controllers/till/till_controller')
const CartController = () => import('#controllers/till/cart_controller')
const TillPaymentsController = () => import('#controllers/till/payments_controller')
const ParkedSalesController = () => import('#controllers/till/parked_sales_controller')
const SwitchUserController = () => import('#controllers/till/switch_user_controller')

const DashboardController = () => import('#controllers/backoffice/dashboard_controller')
const ProductsController = () => import('#controllers/backoffice/products_controller')
const CategoriesController = () => import('#controllers/backoffice/categories_controller')
const UsersController = () => import('#controllers/backoffice/users_controller')
const SalesController = () => import('#controllers/backoffice/sales_controller')

const ApiAuthController = () => import('#controllers/api/auth_controller')
const ApiProductsController = () => import('#controllers/api/products_controller')
const ApiSalesController = () => import('#controllers/api/sales_controller')
const ApiPaymentsController = () => import('#controllers/api/payments_controller')

// Ids in URLs are positive whole numbers of at most 10 digits: anything else is a 404 before any
// query (a 300-digit id is not a row). Routes whose :id is a name (plugins) say so themselves.
const rowId = /^[1-9][0-9]{0,9}$/
for (const param of ['id', 'sale_id', 'registerId']) router.where(param, rowId)

// ------------------------------------------------------------------ health and metrics (operations)
router.get('/health/live', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
router.get('/health/till', [HealthController, 'till'])
router.get('/metrics', [HealthController, 'metrics'])

// ------------------------------------------------------------------ sign in, first setup
router.get('/vendor/:file', [VendorAssetsController, 'handle'])
// The offline till's code, and its service worker at the root so that it may serve /till
router.get('/js/build/:file', [ScriptBundlesController, 'handle'])
router.get('/till-sw.js', [ScriptBundlesController, 'handle']).as('till_service_worker')
router.get('/', [HomeController, 'handle']).use(middleware.auth({ guards: ['web'] }))
router.get('/login', [SessionController, 'create']).use(middleware.guest())
router.post('/login', [SessionController, 'store']).use(middleware.guest())
router.post('/logout', [SessionController, 'destroy']).use(middleware.auth({ guards: ['web'] }))
router.get('/setup', [SetupController, 'create'])
router.post('/setup', [SetupController, 'store'])

// ------------------------------------------------------------------ the till
router
  .group(() => {
    router.get('/', [TillController, 'show'])
    router.get('/register', [TillController, 'chooser'])
    router.post('/register', [TillController, 'chooseRegister'])
    router.post('/scan', [CartController, 'scan'])
    router.get('/search', [CartController, 'search'])
    router.get('/grid', [CartController, 'grid'])
    router.post('/items', [CartController, 'add'])
    router.patch('/items/:id', [CartController, 'quantity'])
    router.delete('/items/:id', [CartController, 'remove'])
    router.get('/items/:id/discount', [CartController, 'discountForm'])
    router.post('/items/:id/discount', [CartController, 'lineDiscount'])
    router.get('/items/:id/price', [CartController, 'priceForm'])
    router.post('/items/:id/price', [CartController, 'overridePrice'])
    router.post('/discount', [CartController, 'cartDiscount'])
    router.post('/void', [CartController, 'void'])
    router.post('/payments', [TillPaymentsController, 'store'])
    router.delete('/payments/:id', [TillPaymentsController, 'destroy'])
    router.get('/receipts/:id', [TillPaymentsController, 'receipt'])
    router.get('/parked', [ParkedSalesController, 'index'])
    router.post('/park', [ParkedSalesController, 'store'])
    router.post('/parked/:id/resume', [ParkedSalesController, 'resume'])
    router.get('/switch', [SwitchUserController, 'show'])
    router.post('/switch', [SwitchUserController, 'store'])
  })
  .prefix('/till')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('sell')])

// ------------------------------------------------------------------ back office
router
  .group(() => {
    router.get('/', [DashboardController, 'handle'])
    router.get('/products', [ProductsController, 'index'])
    router
      .group(() => {
        router.get('/products/new', [ProductsController, 'create'])
        router.post('/products', [ProductsController, 'store'])
        router.get('/products/:id/edit', [ProductsController, 'edit'])
        router.put('/products/:id', [ProductsController, 'update'])
        router.delete('/products/:id', [ProductsController, 'destroy'])
        router.post('/products/:id/restore', [ProductsController, 'restore'])
        router.resource('categories', CategoriesController).except(['show'])
      })
      .use(middleware.can('manageProducts'))
    router.resource('users', UsersController).except(['show']).use('*', middleware.can('manageUsers'))
    router.get('/sales', [SalesController, 'index'])
    router.get('/sales/:id', [SalesController, 'show'])
  })
  .prefix('/backoffice')
  .as('backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('useBackoffice')])

// ------------------------------------------------------------------ REST API (bearer tokens)
router
  .group(() => {
    router.post('/auth/login', [ApiAuthController, 'login'])
    router
      .group(() => {
        router.post('/auth/logout', [ApiAuthController, 'logout'])
        router.get('/auth/me', [ApiAuthController, 'me'])

        router.get('/products', [ApiProductsController, 'index'])
        router.get('/products/:id', [ApiProductsController, 'show'])
        router.post('/products', [ApiProductsController, 'store'])
        router.put('/products/:id', [ApiProductsController, 'update'])
        router.delete('/products/:id', [ApiProductsController, 'destroy'])

        router.get('/sales', [ApiSalesController, 'index'])
        router.get('/sales/:id', [ApiSalesController, 'show'])
        router.post('/sales', [ApiSalesController, 'store'])
        router.post('/sales/:id/cancel', [ApiSalesController, 'cancel'])

        router.post('/payments', [ApiPaymentsController, 'store'])
        router.get('/payments/:sale_id', [ApiPaymentsController, 'index'])
        router.delete('/payments/:id', [ApiPaymentsController, 'destroy'])
      })
      .use(middleware.auth({ guards: ['api'] }))
  })
  .prefix('/api')
  .as('api')

// ------------------------------------------------------------------ the other domains, a file each
await import('#start/routes/returns')
await import('#start/routes/customers')
await import('#start/routes/stock')
await import('#start/routes/shifts')
await import('#start/routes/hardware')
await import('#start/routes/plugins')
await import('#start/routes/exports')
await import('#start/routes/offline')
await import('#start/routes/backups')
