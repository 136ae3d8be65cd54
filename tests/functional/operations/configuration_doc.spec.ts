import { test } from '@japa/runner'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'

/*
| docs/configuration.md says it lists every environment variable, and .env.example that it
| documents them. Compared by hand they had drifted: NODE_ENV, SESSION_DRIVER, PLUGINS_PATH,
| COMPRESS_RESPONSES and CHROMIUM_PATH were read by the code and in neither table, and
| .env.example lacked the database timeouts, the cluster settings and LIVE_STREAMS_PER_USER.
| The variables the code reads: the schema of start/env.ts and every process.env.NAME under
| app/, config/, start/, commands/ and bin/.
*/
const read = (path: string) => readFileSync(app.makePath(path), 'utf8')

function variablesTheCodeReads() {
  const names = new Set<string>()
  const schema = read('start/env.ts')
  const body = schema.slice(schema.indexOf('Env.create('), schema.indexOf('}).catch('))
  for (const match of body.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)) names.add(match[1])
  const files = execFileSync('git', ['ls-files', 'app', 'config', 'start', 'commands', 'bin'], { cwd: app.makePath(), encoding: 'utf8' }).split('\n').filter((file) => file.endsWith('.ts'))
  for (const file of files) {
    for (const match of read(file).matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) names.add(match[1])
  }
  return names
}

test.group('Configuration documented', () => {
  test('every variable the code reads is in docs/configuration.md, and every one there is read', ({ assert }) => {
    const code = variablesTheCodeReads()
    const doc = read('docs/configuration.md')
    const documented = new Set([...doc.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((match) => match[1]))
    assert.deepEqual([...code].filter((name) => !documented.has(name)).sort(), [], 'read by the code, missing from docs/configuration.md')
    assert.deepEqual([...documented].filter((name) => !code.has(name)).sort(), [], 'in docs/configuration.md, read by nothing')
  })

  test('every variable of start/env.ts is in .env.example', ({ assert }) => {
    const schema = read('start/env.ts')
    const body = schema.slice(schema.indexOf('Env.create('), schema.indexOf('}).catch('))
    const names = [...body.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1])
    const example = new Set([...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]))
    assert.deepEqual(names.filter((name) => !example.has(name)), [], 'in start/env.ts, missing from .env.example')
  })
})
