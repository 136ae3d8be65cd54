import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { pluginHost } from '#plugins/host'

/*
| Plugin tests point the host at the shipped plugins and the fixtures, and leave nothing
| enabled behind them: the host and the registry are global to the test process.
*/

export const SHIPPED = app.makePath('plugins')
export const FIXTURES = app.makePath('tests/fixtures/plugins')
export const EXTRA = app.makePath('tests/fixtures/plugins-extra')

export function useFolders(roots: string[] = [SHIPPED, FIXTURES]) {
  pluginHost.setRoots(roots)
  pluginHost.discover()
}

/** Disables every running plugin and forgets stored state, so the next test starts clean */
export async function resetPlugins() {
  for (const entry of pluginHost.list()) {
    if (entry.state === 'enabled') await pluginHost.disable(entry.id, { userId: null, storeId: null, currency: 'USD' })
  }
  await db.from('plugin_settings').delete()
  await db.from('plugins').delete()
  pluginHost.setRoots([SHIPPED])
  pluginHost.discover()
  for (const entry of pluginHost.list()) {
    entry.lastError = null
    if (entry.state === 'failed') entry.state = 'available'
  }
}

/** Waits for something a listener does after the sale's commit (listeners run after the response) */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('the condition never came true')
}

export function pluginPost(client: any, user: any, url: string, body: Record<string, unknown> = {}) {
  return client.post(url).form(body).withCsrfToken().loginAs(user).redirects(0)
}
