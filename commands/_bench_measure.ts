/*
| What pos:bench measures with: percentiles, and CPU time per operation of the server under test,
| the local database and the bench client, read from Linux's /proc.
*/
import { readdirSync, readFileSync } from 'node:fs'
import { percentile } from './_server.js'

export type Phase = ReturnType<typeof stats> & { seconds: number; cpu: ReturnType<typeof cpuPer>; perSecond: number; paced: ReturnType<typeof stats>; pacedServer: ReturnType<typeof stats> }

export function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN }
}

export interface ProcessStat {
  pid: number
  ppid: number
  command: string
  cpuSeconds: number
}

/** Every process's parent and CPU time so far, from Linux's /proc (empty elsewhere) */
export function processStats(): ProcessStat[] {
  const found: ProcessStat[] = []
  let pids: string[] = []
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return found
  }
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const close = text.lastIndexOf(')')
      const fields = text.slice(close + 2).split(' ')
      // After "pid (comm) ": state ppid ... utime is field 14 and stime 15 of the whole line, in 1/100 s
      found.push({ pid: Number(pid), ppid: Number(fields[1]), command: text.slice(text.indexOf('(') + 1, close), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 })
    } catch {
      // the process ended meanwhile
    }
  }
  return found
}

/**
 * CPU seconds of the server under test (with its worker processes) and of a database server
 * running on this machine: per sale they show where the time goes, whatever else the machine does
 */
export function cpuSnapshot(serverPid: number) {
  const stats = processStats()
  const children = new Map<number, ProcessStat[]>()
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat])
  let server = 0
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      server += child.cpuSeconds
      visit(child.pid)
    }
  }
  server += stats.find((s) => s.pid === serverPid)?.cpuSeconds ?? NaN
  visit(serverPid)
  const database = stats.filter((s) => s.command === 'mariadbd' || s.command === 'mysqld').reduce((sum, s) => sum + s.cpuSeconds, 0)
  const usage = process.cpuUsage()
  return { server, database, client: (usage.user + usage.system) / 1e6 }
}

export type CpuSnapshot = ReturnType<typeof cpuSnapshot>

/** CPU milliseconds per operation between two snapshots */
export function cpuPer(before: CpuSnapshot, after: CpuSnapshot, operations: number) {
  const per = (key: keyof CpuSnapshot) => ((after[key] - before[key]) * 1000) / Math.max(1, operations)
  return { server: per('server'), database: per('database'), client: per('client') }
}

export function median(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  if (!sorted.length) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))
export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-')
export const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]

export interface PageWeight {
  /** Server time of GET /till, 50 loads: the first page reads the register, its cart and the categories, never the catalog */
  server: ReturnType<typeof stats>
  html: { bytes: number; encoding: string }
  assets: { path: string; bytes: number; encoding: string; status: number }[]
}

/**
 * The styles and scripts a page loads, as the URLs it names them by (most carry their version,
 * `?v=`), each file once: the first page's weight counts these
 */
export function pageAssets(html: string) {
  const byPath = new Map(['/css/app.css', '/js/app.js', '/vendor/htmx.min.js', '/vendor/alpine.min.js'].map((path) => [path, path]))
  for (const match of html.matchAll(/<(?:link[^>]+href|script[^>]+src)="(\/[^"?]+\.(?:css|js))(\?[^"]*)?"/g)) byPath.set(match[1], match[1] + (match[2] ?? ''))
  return [...byPath.values()]
}
