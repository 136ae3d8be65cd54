import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import { browserClient } from '@japa/browser-client'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import { chromium } from 'playwright'
import type { Config } from '@japa/runner/types'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { locateBrowser } from '#platform/browser_locator'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import { failOnPageViolations } from '#tests/browser_guard'
import { migrate } from '../commands/_server.js'
import { clearRateLimits } from '#platform/rate_limits'

/*
| Tests talk to a real database (SQLite by default, MariaDB with DB_CONNECTION=mysql), a real
| HTTP server on PORT (3334) and a real Chromium (CHROMIUM_PATH, a system one, or the one inside
| the npm package @sparticuz/chromium: app/platform/browser_locator.ts).
| Each test builds its own store with tests/fixtures.ts, so tests never share rows.
*/

export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  sessionApiClient(app),
  shieldApiClient(),
  authApiClient(app),
  browserClient({
    runInSuites: ['browser'],
    launcher: async (options) => {
      const { executablePath, args } = await locateBrowser()
      return chromium.launch({ ...options, executablePath, args })
    },
  }),
]

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      // As pos:start migrates: on MariaDB its migration lock is taken and released on one
      // connection (testUtils.db().migrate() used the pool, and a release that ran on another of
      // its connections failed the run: "unable to release database lock"), and waited for while
      // another process migrates (the lock is one per MariaDB server, not per database)
      await migrate()
      // Rate-limit counters survive in Redis between runs; start every run from zero
      await clearRateLimits()
    },
  ],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (suite.name === 'browser') failOnPageViolations(suite)
  if (['browser', 'functional'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
