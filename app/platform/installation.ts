import env from '#start/env'

/*
| The name of this installation in anything it shares with others: its Redis keys (rate limits),
| its live updates' and identity changes' channels. Several installations may use one Redis (a
| shop's production and training POS, a test run beside another): the app servers of one
| installation share a database, so its name tells them apart. Redis keys of a database number
| are shared, and pub/sub channels are not even per number, so the name goes into each.
| INSTALLATION_ID names it when set: two installations whose databases have one name on two
| database servers (pos, on each shop's own server) shared their keys and channels through one
| Redis (each's wrong PINs blocked the other's user of the same id, and their live updates mixed).
*/
export function installationName(): string {
  const id = env.get('INSTALLATION_ID')
  if (id) return id
  return env.get('DB_CONNECTION') === 'mysql' ? env.get('DB_DATABASE', 'pos') : (env.get('SQLITE_PATH') ?? 'sqlite')
}

/** The prefix of this installation's Redis keys (config/redis.ts) */
export function redisKeyPrefix(): string {
  return `pos:${installationName()}:`
}
