/*
| Checks the documentation (README.md and docs/*.md): every relative link goes to a file that
| exists, every #anchor to a heading of its file (GitHub's rule: lowercase, punctuation dropped,
| spaces to '-', a repeated heading gets -1, -2...), and no file is past 400 lines (the project's
| rule). The docs are split across many files and link into each other, so a heading renamed or
| text moved breaks links that nothing else would notice.
|   node --import @poppinss/ts-exec scripts/check_doc_links.ts      (exit 1 naming each problem)
*/
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

// Fenced code blocks (and, for links, inline code) blanked at the same length, so line numbers hold
const blank = (s: string) => s.replace(/[^\n]/g, ' ')
const withoutFences = (text: string) => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank)
const prose = (text: string) => withoutFences(text).replace(/`[^`]*`/g, blank)

function anchors(file: string): Set<string> {
  const found = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of withoutFences(readFileSync(file, 'utf8')).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!heading) continue
    // The heading's text as shown: link targets, asterisks and backticks go (GitHub keeps underscores)
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*`]/g, '')
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    found.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return found
}

const problems: string[] = []
let links = 0
for (const name of files) {
  const path = join(root, name)
  const source = readFileSync(path, 'utf8')
  const lines = source.split('\n').length - (source.endsWith('\n') ? 1 : 0)
  if (lines > 400) problems.push(`${name}: ${lines} lines, past 400`)
  const text = prose(source)
  for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1]
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:
    links++
    const line = text.slice(0, match.index).split('\n').length
    const [file, anchor] = target.split('#', 2) as [string, string | undefined]
    const goal = file === '' ? path : resolve(dirname(path), decodeURIComponent(file))
    const where = `${name}:${line}: ${target}`
    if (!existsSync(goal)) {
      problems.push(`${where}: no such file ${relative(root, goal)}`)
    } else if (anchor !== undefined) {
      if (!goal.endsWith('.md') || statSync(goal).isDirectory()) problems.push(`${where}: an anchor into a file that is not Markdown`)
      else if (!anchors(goal).has(decodeURIComponent(anchor))) problems.push(`${where}: no heading #${anchor} in ${relative(root, goal)}`)
    }
  }
}
console.log(`${files.length} files, ${links} relative links checked`)
for (const problem of problems) console.log(problem)
process.exit(problems.length === 0 ? 0 : 1)
