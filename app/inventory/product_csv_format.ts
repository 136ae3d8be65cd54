import { createReadStream } from 'node:fs'
import Papa from 'papaparse'
import { unneutralise } from '#platform/csv_writer'
import { QuoteCheck } from '#inventory/product_csv_quotes'

/*
| The products CSV file: its columns (the export writes them, an import reads them, by name, in
| any order), and reading one streamed, row by row, with the header checked first.
*/

export const COLUMNS = ['sku', 'name', 'barcodes', 'category', 'price', 'cost', 'tax_class', 'stock', 'low_stock_threshold', 'active'] as const
export const REQUIRED_COLUMNS = ['sku', 'name', 'price']
export const MAX_FILE_BYTES = 30 * 1024 * 1024

export interface RowError {
  row: number
  column: string
  message: string
}

export interface ImportRow {
  row: number
  sku: string
  name: string
  barcodes: string[] | null
  category: string | null
  price: number
  cost: number | null
  taxClass: string | null
  stock: number | null
  lowStockThreshold: number | null
  active: boolean | null
}

export class NotAProductCsv extends Error {}

const notCsv = (found: string[]) =>
  new NotAProductCsv(
    `This is not a CSV with the columns ${REQUIRED_COLUMNS.join(', ')} (and optionally ${COLUMNS.filter((c) => !REQUIRED_COLUMNS.includes(c)).join(', ')}). ` +
      (found.length ? `Its first line has: ${found.slice(0, 8).map((f) => `"${f.slice(0, 30)}"`).join(', ')}${found.length > 8 ? '…' : ''}.` : 'It has no header line.')
  )

/**
 * Rows of a CSV file, streamed: BOM, ',' or ';' (guessed), quoted newlines; row 1 is the header.
 * Every cell loses the quote the export put before formula-like text ('@Home Candle is @Home
 * Candle), so an exported file imports as it was: the name, the SKU that finds the product, the
 * category
 */
export async function* readRows(path: string): AsyncGenerator<{ row: number; values: Record<string, string> }> {
  const headers: string[] = []
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
    header: true,
    skipEmptyLines: 'greedy',
    delimitersToGuess: [',', ';', '\t'],
    transformHeader: (header: string) => {
      const name = header.replace(/^\ufeff/, '').trim().toLowerCase().replace(/\s+/g, '_')
      headers.push(name)
      return name
    },
    transform: (value: string) => unneutralise(value),
  } as any)
  // Read as text: the stream's decoder keeps a letter of several bytes (é, ñ, an emoji) whole when
  // a 64 KB chunk ends inside it; papaparse decoded each Buffer chunk alone, into two "\ufffd"
  const input = createReadStream(path, { encoding: 'utf8' })
  input.on('error', (error) => parser.destroy(error))
  // A quote left open would have papaparse read the lines after it into one cell: said, not skipped
  const quotes = new QuoteCheck()
  input.on('data', (text: string | Buffer) => {
    const problem = quotes.feed(String(text))
    if (problem) parser.destroy(new NotAProductCsv(problem))
  })
  input.pipe(parser)
  // Rows are taken from 'data' events in blocks (an async iterator over the parser is 20x slower);
  // the parser pauses while a block waits, so memory holds one block, not the file
  let queue: Record<string, any>[] = []
  let ended = false
  let failure: Error | null = null
  let wake: (() => void) | null = null
  const signal = () => {
    wake?.()
    wake = null
  }
  parser.on('data', (values: Record<string, any>) => {
    queue.push(values)
    if (queue.length >= 2000) parser.pause()
    signal()
  })
  parser.on('end', () => {
    ended = true
    signal()
  })
  parser.on('error', (error: Error) => {
    failure = error
    signal()
  })
  let row = 1
  try {
    for (;;) {
      if (!queue.length) {
        if (failure) throw failure
        if (ended) break
        parser.resume()
        await new Promise<void>((resolve) => (wake = resolve))
        continue
      }
      const block = queue
      queue = []
      for (const values of block) {
        row++
        if (row === 2 && !REQUIRED_COLUMNS.every((c) => headers.includes(c))) throw notCsv(headers)
        yield { row, values }
      }
    }
    const unclosed = quotes.end()
    if (unclosed) throw new NotAProductCsv(unclosed)
  } finally {
    input.destroy()
  }
  if (row === 1 && !REQUIRED_COLUMNS.every((c) => headers.includes(c))) throw notCsv(headers)
}
