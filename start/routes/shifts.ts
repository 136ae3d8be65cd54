/*
| Routes of the shifts domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const TillShiftController = () => import('#controllers/till/shift_controller')
const ShiftsController = () => import('#controllers/backoffice/shifts_controller')
const ReportsController = () => import('#controllers/backoffice/reports_controller')
const PeriodReportsController = () => import('#controllers/backoffice/period_reports_controller')
const ApiShiftsController = () => import('#controllers/api/shifts_controller')

// The till: open, cash in/out, no-sale, X report, close with the count, the Z just written
router
  .group(() => {
    router.get('/', [TillShiftController, 'show'])
    router.get('/open', [TillShiftController, 'create'])
    router.post('/open', [TillShiftController, 'store'])
    router.post('/movements', [TillShiftController, 'movement'])
    router.get('/close', [TillShiftController, 'closeForm'])
    router.post('/close', [TillShiftController, 'close'])
    router.get('/:id/z', [TillShiftController, 'z'])
  })
  .prefix('/till/shift')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('runShift')])

// The back office: shifts and their Z reports, and the managers' reports
router
  .group(() => {
    router.get('/shifts', [ShiftsController, 'index'])
    router.get('/shifts/:id', [ShiftsController, 'show'])
    router.get('/shifts/:id/z.pdf', [ShiftsController, 'pdf'])
    router.post('/shifts/:id/print', [ShiftsController, 'print']).use(middleware.can('usePrinters'))
    router.get('/reports', [ReportsController, 'index'])
    router.get('/reports/csv/:table', [ReportsController, 'csv'])
    router.get('/reports/periods', [PeriodReportsController, 'index'])
    router.get('/reports/periods/csv/:table', [PeriodReportsController, 'csv'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('viewReports')])

// The API (bearer tokens); each action checks its ability (the report: runShift or viewReports)
router
  .group(() => {
    router.get('/shifts/current', [ApiShiftsController, 'current'])
    router.post('/shifts', [ApiShiftsController, 'store'])
    router.post('/shifts/:id/close', [ApiShiftsController, 'close'])
    router.post('/shifts/:id/cash-movements', [ApiShiftsController, 'movement'])
    router.get('/shifts/:id/report', [ApiShiftsController, 'report'])
  })
  .prefix('/api')
  .use(middleware.auth({ guards: ['api'] }))
