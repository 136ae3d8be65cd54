/*
| Routes of the stock domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'
import edge from 'edge.js'
import app from '@adonisjs/core/services/app'
import { middleware } from '#start/kernel'
import { rowTime } from '#platform/row_time'

// Timestamps of raw rows (receipts, transfers, movements) in the store's time zone
edge.global('rowLocalTime', (value: unknown, zone: string, format = 'yyyy-LL-dd HH:mm') => rowTime(value)?.setZone(zone).toFormat(format) ?? '')

const StockController = () => import('#controllers/backoffice/stock_controller')
const ApiStockController = () => import('#controllers/api/stock_controller')
const LiveController = () => import('#controllers/live_controller')
const ProductCsvController = () => import('#controllers/backoffice/product_csv_controller')

// ------------------------------------------------------------------ back office
router
  .group(() => {
    router.get('/stock', [StockController, 'index'])
    router.get('/stock/receipts/new', [StockController, 'newReceipt'])
    router.post('/stock/receipts', [StockController, 'storeReceipt'])
    router.get('/stock/receipts/:id', [StockController, 'showReceipt'])
    router.get('/stock/adjustments/new', [StockController, 'newAdjustment'])
    router.post('/stock/adjustments', [StockController, 'storeAdjustment'])
    router.get('/stock/transfers/new', [StockController, 'newTransfer'])
    router.post('/stock/transfers', [StockController, 'storeTransfer'])
    router.get('/stock/transfers/:id', [StockController, 'showTransfer'])
    router.post('/stock/transfers/:id/receive', [StockController, 'receiveTransfer'])
    router.get('/stock/stocktakes', [StockController, 'stocktakes'])
    router.post('/stock/stocktakes', [StockController, 'storeStocktake'])
    router.get('/stock/stocktakes/:id', [StockController, 'showStocktake'])
    router.post('/stock/stocktakes/:id', [StockController, 'saveCounts'])
    router.get('/products/:id/stock', [StockController, 'history'])
    router.post('/products/:id/threshold', [StockController, 'threshold'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('manageStock')])

// Product CSV export and import
router
  .group(() => {
    router.get('/products/export.csv', [ProductCsvController, 'export'])
    router.get('/products/import', [ProductCsvController, 'index'])
    router.post('/products/import', [ProductCsvController, 'upload'])
    router.get('/products/import/:id', [ProductCsvController, 'show'])
    router.get('/products/import/:id/progress', [ProductCsvController, 'progress'])
    router.post('/products/import/:id/run', [ProductCsvController, 'run'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('manageProducts')])

// What live pages re-read: stock figures (till and back office), dashboard fragments
router.get('/live/stock', [LiveController, 'stock']).use(middleware.auth({ guards: ['web'] }))
router
  .group(() => {
    router.get('/live/low-stock', [LiveController, 'lowStock'])
    router.get('/live/today', [LiveController, 'today'])
    router.get('/live/ticker', [LiveController, 'ticker'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('useBackoffice')])

// ------------------------------------------------------------------ REST API
router
  .group(() => {
    router.post('/stock/receipts', [ApiStockController, 'receipt'])
    router.post('/stock/adjustments', [ApiStockController, 'adjustment'])
    router.post('/stock/transfers', [ApiStockController, 'transfer'])
    router.post('/stock/transfers/:id/receive', [ApiStockController, 'receiveTransfer'])
    router.get('/products/:id/movements', [ApiStockController, 'movements'])
  })
  .prefix('/api')
  .use(middleware.auth({ guards: ['api'] }))

// ------------------------------------------------------------------ live updates (not in ace commands)
if (app.getEnvironment() === 'web' || app.getEnvironment() === 'test') await import('#start/live')
