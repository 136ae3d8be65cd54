/*
| Routes of the hardware domain (till, back office and API). Imported by start/routes.ts so that
| each domain's routes live in a file of their own.
*/
import router from '@adonisjs/core/services/router'

const BridgeController = () => import('#controllers/api/bridge_controller')

// ------------------------------------------------------------------ the bridge (its own token)
router
  .group(() => {
    router.post('/pair', [BridgeController, 'pair'])
    router.get('/events', [BridgeController, 'events'])
    router.post('/jobs/:id/result', [BridgeController, 'result'])
    router.post('/health', [BridgeController, 'health'])
  })
  .prefix('/api/bridge')

