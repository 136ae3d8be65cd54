/*
| Settings -> Backups: admins who belong to every store (manageBackups). Imported by start/routes.ts.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const BackupsController = () => import('#controllers/backoffice/backups_controller')

router
  .group(() => {
    router.get('/backups', [BackupsController, 'index'])
    router.post('/backups', [BackupsController, 'store'])
    router.get('/backups/:file', [BackupsController, 'download'])
  })
  .prefix('/backoffice')
  .use([middleware.auth({ guards: ['web'] }), middleware.can('manageBackups')])
