/*
| Routes of the hardware domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const BridgeController = () => import('#controllers/api/bridge_controller')
const TillHardwareController = () => import('#controllers/till/hardware_controller')
const DevicesController = () => import('#controllers/backoffice/devices_controller')
const SaleReceiptsController = () => import('#controllers/backoffice/sale_receipts_controller')

// ------------------------------------------------------------------ the till
router
  .group(() => {
    router.get('/hardware', [TillHardwareController, 'status'])
    router.post('/drawer', [TillHardwareController, 'openDrawer'])
    router.get('/receipts/:id/actions', [TillHardwareController, 'receiptActions'])
    router.post('/receipts/:id/reprint', [TillHardwareController, 'reprint'])
    router.get('/receipts/:id/pdf', [TillHardwareController, 'receiptPdf'])
    router.get('/receipts/:id/invoice', [TillHardwareController, 'invoicePdf'])
  })
  .prefix('/till')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('sell')])

// ------------------------------------------------------------------ back office
router
  .group(() => {
    router.post('/sales/:id/reprint', [SaleReceiptsController, 'reprint']).use(middleware.can('usePrinters'))
    router.get('/sales/:id/receipt.pdf', [SaleReceiptsController, 'receiptPdf'])
    router.get('/sales/:id/invoice.pdf', [SaleReceiptsController, 'invoicePdf'])
    router
      .group(() => {
        router.get('/devices', [DevicesController, 'index'])
        router.post('/registers/:id/pair', [DevicesController, 'pair'])
        router.post('/registers/:id/devices', [DevicesController, 'store'])
        router.post('/bridges/:id/revoke', [DevicesController, 'revoke'])
        router.delete('/devices/:id', [DevicesController, 'destroy'])
        router.post('/devices/:id/test', [DevicesController, 'test'])
        router.post('/jobs/:id/retry', [DevicesController, 'retry'])
      })
      .use(middleware.can('manageDevices'))
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('useBackoffice')])

// ------------------------------------------------------------------ the bridge (its own token)
router
  .group(() => {
    router.post('/pair', [BridgeController, 'pair'])
    router.get('/events', [BridgeController, 'events'])
    router.post('/jobs/:id/result', [BridgeController, 'result'])
    router.post('/health', [BridgeController, 'health'])
  })
  .prefix('/api/bridge')
