import { test } from '@japa/runner'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/*
| The project's rules that nothing else would notice broken: no file of ours past 400 lines, and
| the docs, split over many files that link into each other, keep every link and #anchor working
| (scripts/check_doc_links.ts).
*/

const OURS = /\.(ts|js|edge|css|md|sh|cjs|mjs)$/
const NOT_OURS = /^(public\/vendor\/|node_modules\/)/

test.group('The repository', () => {
  test('no source, template, script or doc file is past 400 lines', ({ assert }) => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter((file) => OURS.test(file) && !NOT_OURS.test(file))
    assert.isAbove(files.length, 100)
    const long = files
      .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `${file}: ${lines} lines`)
    assert.deepEqual(long, [])
  })

  test('every relative link and #anchor of README.md and docs/*.md resolves', ({ assert }) => {
    const check = spawnSync(process.execPath, ['--import', '@poppinss/ts-exec', 'scripts/check_doc_links.ts'], { encoding: 'utf8' })
    assert.equal(check.status, 0, check.stdout + check.stderr)
  }).timeout(30_000)
})
