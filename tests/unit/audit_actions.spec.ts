import { test } from '@japa/runner'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { AUDIT_ACTION_WORDS, auditActionWords } from '#reports/audit_actions'

/*
| Every action the app writes to the audit log has words on the audit page (app/reports/
| audit_actions.ts). The writers are read from the source of app/ and database/: a file that builds
| an audit entry (recordAudit, auditStatement, AuditEntry, an insert into audit_logs) names its action as a literal, a template, or a
| `const action =` of literals. A new action without words fails here.
*/

// An action built from a template: its prefix and every value the template takes
const TEMPLATED: Record<string, string[]> = {
  // gateway_payment_service.ts: the end states a terminal reports, but approved (a payment_taken)
  gateway_payment_: ['declined', 'cancelled', 'timed_out'],
  // shift_service.ts: a cash movement's kind (validators/shifts.ts)
  shift_: ['cash_in', 'cash_out', 'no_sale'],
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
  )
}

/** The actions written, and what the reader could not tell (a writer naming its action some other way) */
function writtenActions() {
  const actions = new Set<string>()
  const unread: string[] = []
  // The app's writers, and the migrations that wrote entries of their own (a merge of categories)
  for (const file of [...sourceFiles(app.makePath('app')), ...sourceFiles(app.makePath('database'))]) {
    if (file.endsWith('platform/audit_service.ts') || file.endsWith('reports/audit_actions.ts')) continue
    const source = readFileSync(file, 'utf8')
    if (!/recordAudit|auditStatement|AuditEntry|table\('audit_logs'\)/.test(source)) continue
    for (const m of source.matchAll(/\baction:\s*'([^']+)'/g)) actions.add(m[1])
    for (const m of source.matchAll(/\baction:\s*`([^`$]*)\$\{/g)) {
      if (!TEMPLATED[m[1]]) unread.push(`${file}: action \`${m[1]}\${...}\` (add its values to TEMPLATED)`)
      for (const value of TEMPLATED[m[1]] ?? []) actions.add(m[1] + value)
    }
    // Its values: the literal assigned, or a choice's ("a ? 'x' : 'y'"), not what is compared ("=== 'conflict'")
    const assigned = [...source.matchAll(/\bconst action\s*=([^\n]+)/g)].flatMap((m) => [...m[1].matchAll(/(?:^|[?:])\s*'([^']+)'/g)].map((l) => l[1]))
    for (const action of assigned) actions.add(action)
    // `action: someName` or `{ action, ...}`: only when the file assigns it from literals above
    const byName = [...source.matchAll(/\baction:\s*[A-Za-z(]|[{,]\s*action\s*[,}]/g)].filter((m) => !/action:\s*(string|filters|errors|typed)\b/.test(source.slice(m.index, m.index + 30)))
    if (byName.length && !assigned.length) unread.push(`${file}: an action named by a variable`)
  }
  return { actions, unread }
}

test.group('Audit log: every action in words', () => {
  test('each action a writer in app/ records has words, and the reader can tell every action', ({ assert }) => {
    const { actions, unread } = writtenActions()
    assert.deepEqual(unread, [])
    // The reader found the writers (a reader that finds nothing would pass)
    assert.isAbove(actions.size, 60)
    for (const known of ['register_lease_taken', 'plugin_enabled', 'offline_sale_refused', 'shift_cash_out', 'gateway_payment_timed_out', 'categories_merged']) assert.isTrue(actions.has(known), known)
    assert.deepEqual([...actions].filter((action) => !AUDIT_ACTION_WORDS[action]).sort(), [])
  })

  test('words read as words; an unknown identifier reads spaced out', ({ assert }) => {
    assert.equal(auditActionWords('register_lease_taken'), 'Register taken by a till')
    assert.equal(auditActionWords('plugin_enabled'), 'Plugin enabled')
    assert.equal(auditActionWords('category_created'), 'Category created')
    for (const words of Object.values(AUDIT_ACTION_WORDS)) assert.notMatch(words, /_/, words)
    assert.equal(auditActionWords('stock_recounted_twice'), 'Stock recounted twice')
    // Not an inherited property of the map: it read as a function
    assert.equal(auditActionWords('constructor'), 'Constructor')
  })
})
