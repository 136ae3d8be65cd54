/*
| Small charts as inline SVG, drawn on the server: no chart library and no script, so a cheap
| tablet only paints a few rectangles. Every text is escaped; each bar carries a <title> tooltip.
*/

export interface ChartPoint {
  label: string
  value: number
  /** The text of the tooltip and the screen-reader summary */
  text: string
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A bar chart; every `labelEvery`-th bar is labelled under the axis */
export function barChart(points: ChartPoint[], options: { title: string; width?: number; height?: number; labelEvery?: number }): string {
  const width = options.width ?? 720
  const height = options.height ?? 200
  const bottom = 22
  const top = 8
  const plot = height - bottom - top
  const max = Math.max(1, ...points.map((p) => p.value))
  const slot = width / Math.max(1, points.length)
  const barWidth = Math.max(1, slot * 0.7)
  const labelEvery = options.labelEvery ?? 1
  const bars = points
    .map((p, i) => {
      const h = Math.round((Math.max(0, p.value) / max) * plot)
      const x = (i * slot + (slot - barWidth) / 2).toFixed(1)
      const label = i % labelEvery === 0 ? `<text x="${(i * slot + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" fill="#333">${escape(p.label)}</text>` : ''
      return `<g><rect x="${x}" y="${top + plot - h}" width="${barWidth.toFixed(1)}" height="${h}"><title>${escape(p.label)}: ${escape(p.text)}</title></rect>${label}</g>`
    })
    .join('')
  const summary = points.map((p) => `${p.label}: ${p.text}`).join(', ')
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escape(options.title)}" preserveAspectRatio="none" style="max-width:${width}px;font:11px sans-serif">` +
    `<desc>${escape(summary)}</desc>` +
    `<line x1="0" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#999"/>` +
    `<g fill="#2f6fb0">${bars}</g></svg>`
  )
}
