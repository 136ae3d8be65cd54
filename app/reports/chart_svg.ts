/*
| Small charts as inline SVG, drawn on the server: no chart library and no script, so a cheap
| tablet only paints a few rectangles. A value axis with money ticks, the value on each bar when
| the bar is wide enough, and a <title> on each bar (a tooltip on hover, and read on tap by
| screen readers). Every text is escaped. No style attribute (the pages' CSP forbids inline
| style): presentation attributes and the .chart class of app.css. The page puts the same
| figures in a table beside the chart, the accessible alternative.
*/
import { currencyDigits, formatMoney } from '#core/money'

export interface ChartPoint {
  label: string
  value: number
  /** The text of the tooltip */
  text: string
}

export interface BarChartOptions {
  title: string
  /** An amount as shown on the value axis ("$1,200.00") */
  format: (value: number) => string
  /** An amount as written on a narrow bar ("1.2k"); defaults to format */
  formatShort?: (value: number) => string
  width?: number
  height?: number
  /** Every n-th bar is labelled under the axis */
  labelEvery?: number
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Axis ticks at 1, 2 or 5 times a power of ten, about four of them, the last at or above max */
export function niceTicks(max: number, count = 4): number[] {
  if (max <= 0) return [0]
  const rough = max / count
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!
  const ticks: number[] = []
  for (let value = 0; value < max + step; value += step) {
    ticks.push(value)
    if (value >= max) break
  }
  return ticks
}

export function barChart(points: ChartPoint[], options: BarChartOptions): string {
  const width = options.width ?? 720
  const height = options.height ?? 220
  const left = 72
  const bottom = 22
  const top = 14
  const plot = height - bottom - top
  const plotWidth = width - left
  const ticks = niceTicks(Math.max(0, ...points.map((p) => p.value)))
  const axisMax = Math.max(1, ticks[ticks.length - 1])
  const slot = plotWidth / Math.max(1, points.length)
  const barWidth = Math.max(1, slot * 0.7)
  const labelEvery = options.labelEvery ?? 1
  const short = options.formatShort ?? options.format
  const y = (value: number) => top + plot - Math.round((Math.max(0, value) / axisMax) * plot)
  // Values over the bars when every one fits its slot (about 6 px a character), else none: a
  // chart with some bars labelled reads as if the others were missing
  const valueTexts = points.map((p) => (p.value > 0 ? short(p.value) : ''))
  const showValues = valueTexts.every((text) => text.length * 6 <= slot)

  const grid = ticks
    .map((tick) => {
      const at = y(tick)
      return `<line x1="${left}" y1="${at}" x2="${width}" y2="${at}" stroke="#ddd"/>` +
        `<text x="${left - 6}" y="${at + 4}" text-anchor="end" fill="#333">${escape(options.format(tick))}</text>`
    })
    .join('')
  const bars = points
    .map((p, i) => {
      const middle = left + i * slot + slot / 2
      const barTop = y(p.value)
      const x = (middle - barWidth / 2).toFixed(1)
      const label = i % labelEvery === 0 ? `<text x="${middle.toFixed(1)}" y="${height - 6}" text-anchor="middle" fill="#333">${escape(p.label)}</text>` : ''
      const value = showValues && valueTexts[i] ? `<text x="${middle.toFixed(1)}" y="${barTop - 3}" text-anchor="middle" fill="#1d4f80" font-size="10">${escape(valueTexts[i])}</text>` : ''
      return `<g><rect x="${x}" y="${barTop}" width="${barWidth.toFixed(1)}" height="${top + plot - barTop}" fill="#2f6fb0"><title>${escape(p.label)}: ${escape(p.text)}</title></rect>${value}${label}</g>`
    })
    .join('')
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(options.title)} (the table beside it gives the figures)" font-family="sans-serif" font-size="11">` +
    grid +
    `<line x1="${left}" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#999"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plot}" stroke="#999"/>` +
    bars +
    `</svg>`
  )
}

/**
 * An axis tick's amount, round ones without their zero cents ("$1,500", not "$1,500.00"; "$0.25"
 * kept). Only the cents are taken off: a currency of no minor digits has none, and stripping the
 * last zeros after a separator wrote ¥2,000 as "¥2"
 */
export function axisAmount(minor: number, currency: string): string {
  const text = formatMoney(minor, currency)
  const digits = currencyDigits(currency)
  return digits > 0 && minor % 10 ** digits === 0 ? text.replace(/\.0+(?=\D*$)/, '') : text
}

/** A compact amount for a bar: 950, 1.2k, 35k, 1.4M of the currency's major unit */
export function compactAmount(minor: number, digits: number): string {
  const major = minor / 10 ** digits
  if (major >= 1e6) return `${(major / 1e6).toFixed(major >= 1e7 ? 0 : 1)}M`
  if (major >= 1e3) return `${(major / 1e3).toFixed(major >= 1e4 ? 0 : 1)}k`
  return String(Math.round(major))
}
