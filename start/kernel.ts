import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

server.use([
  () => import('#middleware/request_observer_middleware'),
  () => import('#middleware/server_timing_middleware'),
  () => import('#middleware/compression_middleware'),
  () => import('#middleware/security_headers_middleware'),
  () => import('#middleware/container_bindings_middleware'),
  // public/'s files, for the paths that can name one (app/middleware/static_files_middleware.ts)
  () => import('#middleware/static_files_middleware'),
])

router.use([
  // AdonisJS's body parser, with a stocktake sheet's larger form limits on its route only
  () => import('#middleware/body_parser_middleware'),
  () => import('#middleware/json_body_middleware'),
  // The session and Shield, skipped on /api/* and /vendor/*
  () => import('#middleware/browser_session_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#middleware/initialize_bouncer_middleware'),
])

export const middleware = router.named({
  auth: () => import('#middleware/auth_middleware'),
  guest: () => import('#middleware/guest_middleware'),
  can: () => import('#middleware/can_middleware'),
})
