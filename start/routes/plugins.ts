/*
| Routes of the plugins domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const PluginsController = () => import('#controllers/backoffice/plugins_controller')

// Settings -> Plugins: an admin of every store only (managePlugins)
router
  .group(() => {
    router.get('/plugins', [PluginsController, 'index'])
    router.post('/plugins/rescan', [PluginsController, 'rescan'])
    router.get('/plugins/:id/settings', [PluginsController, 'edit'])
    router.post('/plugins/:id/settings', [PluginsController, 'update'])
    router.post('/plugins/:id/enable', [PluginsController, 'enable'])
    router.post('/plugins/:id/disable', [PluginsController, 'disable'])
  })
  // A plugin's id is its folder's name, not a row id
  .where('id', /^[^/]+$/)
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('managePlugins')])

// The till's card payments through a gateway plugin: start, watch (htmx polls), cancel
const GatewayPaymentsController = () => import('#controllers/till/gateway_payments_controller')
router
  .group(() => {
    router.post('/gateway-payments', [GatewayPaymentsController, 'store'])
    router.get('/gateway-payments/:id', [GatewayPaymentsController, 'show'])
    router.post('/gateway-payments/:id/cancel', [GatewayPaymentsController, 'cancel'])
  })
  .prefix('/till')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('sell')])
