import { test } from '@japa/runner'
import { readFile, readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { cruise, type IViolation } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

const root = fileURLToPath(new URL('../../', import.meta.url))
const SOURCES = ['app', 'commands', 'start', 'config', 'database', 'plugins', 'bin', 'tests', 'adonisrc.ts']

function describe(violation: IViolation): string {
  const path = violation.cycle?.length ? [violation.from, ...violation.cycle.map((step) => step.name)].join(' -> ') : `${violation.from} -> ${violation.to}`
  return `${violation.rule.name}: ${path}`
}

/*
| The import rules of .dependency-cruiser.cjs (no circles outside app/models, a pure core, no
| arrow from a lower layer up to a higher one), checked on every run of the suite.
*/
test.group('Architecture', () => {
  test('the aliases of tsconfig.json mirror the imports of package.json', async ({ assert }) => {
    // depcruise (and tsc) resolve #alias/* through tsconfig paths; node resolves package.json imports
    const { imports } = JSON.parse(await readFile(`${root}package.json`, 'utf8'))
    const tsconfig = JSON.parse(await readFile(`${root}tsconfig.json`, 'utf8'))
    const expected = Object.fromEntries(Object.entries(imports as Record<string, string>).map(([alias, target]) => [alias, [target.replace(/\.js$/, '')]]))
    assert.deepEqual(tsconfig.compilerOptions.paths, expected)
  })

  test('no import breaks the rules of .dependency-cruiser.cjs', async ({ assert }) => {
    const cwd = process.cwd()
    process.chdir(root)
    try {
      const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs')
      const tsConfig = extractTSConfig('tsconfig.json')
      const result = await cruise(SOURCES, { ...options, validate: true }, {}, { tsConfig })
      const output = result.output as Exclude<typeof result.output, string>
      const violations = output.summary.violations.map(describe)
      assert.deepEqual(violations, [], `Imports that break the architecture's rules:\n  ${violations.join('\n  ')}`)
      // The cruise did see the application (an empty cruise would pass any rule)
      assert.isAbove(output.summary.totalCruised, 300)
    } finally {
      process.chdir(cwd)
    }
  }).timeout(120_000)

  test('every transaction goes through app/platform/db_transaction.ts, whose COMMIT is checked', async ({ assert }) => {
    // Lucid's db.transaction() reports a failed COMMIT as a success (see transaction() there)
    const offenders: string[] = []
    for (const folder of ['app', 'commands', 'plugins']) {
      for (const entry of await readdir(`${root}${folder}`, { recursive: true })) {
        if (!entry.endsWith('.ts') || `${folder}/${entry}` === 'app/platform/db_transaction.ts') continue
        const text = await readFile(`${root}${folder}/${entry}`, 'utf8')
        if (/\.transaction\(\s*(async\b|\(|\w+\s*=>)/.test(text)) offenders.push(`${folder}/${entry}`)
      }
    }
    assert.deepEqual(offenders, [], 'use transaction() or inTransaction() from #platform/db_transaction')
  })
})
