/*
| Routes of the customers domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const TillCustomersController = () => import('#controllers/till/customers_controller')
const CustomersController = () => import('#controllers/backoffice/customers_controller')
const ApiCustomersController = () => import('#controllers/api/customers_controller')

// ------------------------------------------------------------------ the till: the sale's customer
router
  .group(() => {
    router.get('/customers', [TillCustomersController, 'picker'])
    router.get('/customers/search', [TillCustomersController, 'search'])
    router.post('/customers', [TillCustomersController, 'store'])
    router.post('/customer', [TillCustomersController, 'attach'])
    router.delete('/customer', [TillCustomersController, 'detach'])
  })
  .prefix('/till')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('sell'), middleware.can('manageCustomers')])

// ------------------------------------------------------------------ back office
router
  .group(() => {
    router.get('/customers', [CustomersController, 'index'])
    router.get('/customers/create', [CustomersController, 'create'])
    router.post('/customers', [CustomersController, 'store'])
    router.get('/customers/:id', [CustomersController, 'show']).where('id', router.matchers.number())
    router.get('/customers/:id/edit', [CustomersController, 'edit']).where('id', router.matchers.number())
    router.put('/customers/:id', [CustomersController, 'update']).where('id', router.matchers.number())
    router
      .group(() => {
        router.post('/customers/:id/export', [CustomersController, 'export']).where('id', router.matchers.number())
        router.post('/customers/:id/erase', [CustomersController, 'erase']).where('id', router.matchers.number())
      })
      .use(middleware.can('managePrivacy'))
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('useBackoffice'), middleware.can('manageCustomers')])

// ------------------------------------------------------------------ REST API (bearer tokens)
router
  .group(() => {
    router.get('/customers', [ApiCustomersController, 'index'])
    router.post('/customers', [ApiCustomersController, 'store'])
    router.get('/customers/:id', [ApiCustomersController, 'show'])
    router.put('/customers/:id', [ApiCustomersController, 'update'])
  })
  .prefix('/api')
  .use([middleware.auth({ guards: ['api'] }), middleware.can('manageCustomers')])

// ------------------------------------------------------------------ stores of the chain (issue 5: several stores)
const StoresController = () => import('#controllers/backoffice/stores_controller')
const StoreSwitchController = () => import('#controllers/store_switch_controller')

router.post('/stores/switch', [StoreSwitchController, 'handle']).use([middleware.auth({ guards: ['web'] }), middleware.can('switchStore')])

router
  .group(() => {
    router.get('/stores', [StoresController, 'index'])
    router.get('/stores/create', [StoresController, 'create'])
    router.post('/stores', [StoresController, 'store'])
    router.get('/stores/:id/edit', [StoresController, 'edit']).where('id', router.matchers.number())
    router.put('/stores/:id', [StoresController, 'update']).where('id', router.matchers.number())
    router.post('/stores/:id/registers', [StoresController, 'addRegister']).where('id', router.matchers.number())
    router.put('/stores/:id/registers/:registerId', [StoresController, 'renameRegister']).where('id', router.matchers.number())
    router.post('/stores/:id/staff', [StoresController, 'staff']).where('id', router.matchers.number())
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('useBackoffice'), middleware.can('manageStores')])
