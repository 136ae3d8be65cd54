/*
| Which answers compress, and how the client's Accept-Encoding is read: shared by the compression
| of the answers made per request (compression_middleware.ts) and the files compressed once
| (static_assets.ts).
*/

/** Text answers: pages, fragments, CSS, JS, JSON, CSV, SVG (not server-sent events) */
export const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|xml|[a-z.+-]*\+(json|xml))|image\/svg\+xml)/i

/** The encoding to use: brotli, then gzip, when the client lists it with a non-zero q */
export function negotiateEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1)
  }
  const allows = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0
  if (allows('br')) return 'br'
  if (allows('gzip')) return 'gzip'
  return null
}
