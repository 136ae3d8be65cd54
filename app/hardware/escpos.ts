import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder'
import CodepageEncoder from '@point-of-sale/codepage-encoder'
import type { ReceiptView } from '#sales/receipt_service'

/*
| ESC/POS on paper, encoded on the server (the bridge only moves bytes). The encoder picks, for
| each run of text, the first code page of the printer that has every character: CP858 for
| Western European accents and the euro, CP857 for Turkish, CP866 for Cyrillic, CP852 for
| Central European. A character no code page of the printer has is printed as "?" and reported
| back with the job, so the back office says which text could not be printed (the receipt still
| prints: a sale is never held up by its paper).
*/

export interface PaperOptions {
  /** Characters per line of font A: 48 on 80 mm paper, 32 on 58 mm */
  columns?: number
  /** The printer's code page table ('epson' fits most ESC/POS printers) */
  codepageMapping?: 'epson' | 'star' | 'bixolon' | 'citizen' | 'xprinter' | 'pos-8360'
  /** Print the sale number as a QR code (default) or a CODE128 barcode */
  code?: 'qr' | 'barcode' | 'none'
  logo?: boolean
}

export interface Encoded {
  data: Uint8Array
  /** Characters of the text that no code page of the printer could print (shown as "?") */
  unencodable: string[]
}

const CANDIDATES = ['cp437', 'cp858', 'cp857', 'cp866', 'cp852', 'windows1252', 'windows1251', 'windows1254']

function encoderFor(options: PaperOptions) {
  const mapping = options.codepageMapping ?? 'epson'
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: options.columns ?? 48,
    codepageMapping: mapping,
    codepageCandidates: CANDIDATES.filter((c) => hasCodepage(mapping, c)) as any,
    feedBeforeCut: 4,
  })
  return encoder
}

const known = new Map<string, boolean>()

/** Whether the mapping has a slot for the code page (the encoder throws on unknown candidates) */
function hasCodepage(mapping: string, codepage: string) {
  const key = `${mapping}:${codepage}`
  if (!known.has(key)) known.set(key, probeCodepage(mapping, codepage))
  return known.get(key)!
}

function probeCodepage(mapping: string, codepage: string) {
  const probe = new ReceiptPrinterEncoder({ language: 'esc-pos', codepageMapping: mapping as any })
  try {
    probe.codepage(codepage as any)
    return true
  } catch {
    return false
  }
}

/** The characters of `texts` that none of the candidate code pages has */
export function unencodableCharacters(texts: string[], mapping = 'epson'): string[] {
  const candidates = CANDIDATES.filter((c) => hasCodepage(mapping, c))
  const tables = candidates.map((c) => new Set(CodepageEncoder.getEncoding(c as any).codepoints))
  const missing = new Set<string>()
  for (const text of texts) {
    for (const char of text) {
      const code = char.codePointAt(0)!
      if (code < 0x80) continue
      if (!tables.some((t) => t.has(code))) missing.add(char)
    }
  }
  return [...missing]
}

/** A small logo drawn in code (a shop awning over the store's initial), as 1-bit pixels */
export function logoImage(width = 96, height = 48) {
  const data = new Uint8ClampedArray(width * height * 4).fill(255)
  const black = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return
    const i = (y * width + x) * 4
    data[i] = data[i + 1] = data[i + 2] = 0
  }
  // awning: alternating stripes over the top third
  for (let y = 0; y < height / 3; y++) for (let x = 0; x < width; x++) if (Math.floor(x / 12) % 2 === 0) black(x, y)
  // scalloped edge
  for (let x = 0; x < width; x++) {
    const dy = Math.round(4 * Math.abs(Math.sin((x * Math.PI) / 12)))
    for (let y = height / 3; y < height / 3 + dy; y++) black(x, Math.floor(y))
  }
  // the shop front: a frame and a door
  for (let x = 8; x < width - 8; x++) {
    black(x, height - 1)
    black(x, height - 2)
  }
  for (let y = Math.floor(height / 3); y < height; y++) {
    black(8, y), black(9, y), black(width - 9, y), black(width - 10, y)
  }
  for (let y = Math.floor(height / 2); y < height; y++) for (let x = width / 2 - 6; x < width / 2 + 6; x++) if (x === width / 2 - 6 || x === width / 2 + 5 || y === Math.floor(height / 2)) black(x, y)
  return { data, width, height }
}

/**
 * A stored text on paper, as one line. Names are one line now (validators/fields.ts), but a row
 * saved before may hold a line break, which started a line of its own ("Milk\nTOTAL 0.00" printed a
 * fake total): a break is a space. No other control character reaches the printer, where a NUL or
 * an ESC is a byte of a command.
 */
function paperLine(text: string) {
  return text.replace(/\s*[\r\n\u0085\u2028\u2029]+\s*/g, ' ').replace(/[\u0000-\u001F\u007F-\u009F]/g, '')
}

/** A text kept as lines (the store's address): each of its lines on a line of paper */
function paperLines(text: string) {
  return text.split(/\r\n?|\n/).map(paperLine).filter((line) => line.trim() !== '')
}

function pair(encoder: ReceiptPrinterEncoder, left: string, right: string, columns: number) {
  left = paperLine(left)
  right = paperLine(right)
  const room = Math.max(1, columns - right.length - 1)
  const shown = left.length > room ? left.slice(0, room) : left
  encoder.line(shown + ' '.repeat(Math.max(1, columns - shown.length - right.length)) + right)
}

/** All the text a receipt prints, to check it against the printer's code pages */
function receiptTexts(r: ReceiptView): string[] {
  return [
    r.storeName,
    r.storeAddress ?? '',
    r.registerName,
    r.cashierFirstName ?? '',
    r.footer,
    r.customerFirstName ?? '',
    ...r.lines.flatMap((l) => [l.name, l.unitNote ?? '', l.amount]),
    ...r.taxes.map((t) => t.label + t.amount),
    ...r.payments.map((p) => p.label + p.amount),
    ...r.refunds.flatMap((refund) => [refund.label, ...refund.lines.map((l) => l.name), ...refund.payments.map((p) => p.label)]),
    r.pointsLabel,
    r.total,
  ]
}

/** Money strings carry a U+2212 minus sign on screen; paper gets a plain hyphen */
const paper = (text: string) => text.replaceAll('\u2212', '-').replaceAll('\u00a0', ' ')

export function encodeReceipt(r: ReceiptView, options: PaperOptions = {}): Encoded {
  const columns = options.columns ?? 48
  const encoder = encoderFor(options)
  encoder.initialize().codepage('auto')
  if (options.logo !== false) encoder.align('center').image(logoImage(), 96, 48, 'threshold').newline()
  encoder.align('center').bold(true).size(2, 2).line(paperLine(r.storeName)).size(1, 1).bold(false)
  for (const line of paperLines(r.storeAddress ?? '')) encoder.line(line)
  encoder.line(paperLine(`${r.registerName} · Sale #${r.number ?? r.saleId}`))
  encoder.line(paperLine(`${r.when}${r.cashierFirstName ? ' · ' + r.cashierFirstName : ''}`))
  if (r.status === 'voided') encoder.bold(true).line('VOIDED').bold(false)
  if (r.refundNote) encoder.bold(true).line(r.refundNote).bold(false)
  encoder.align('left').rule()
  for (const line of r.lines) {
    pair(encoder, `${line.quantity} x ${line.name}`, paper(line.amount), columns)
    if (line.unitNote) encoder.line(`  ${paper(line.unitNote)}`)
    if (line.discount) pair(encoder, '  Discount', paper(line.discount), columns)
  }
  encoder.rule()
  pair(encoder, 'Subtotal', paper(r.subtotal), columns)
  if (r.discountTotal) pair(encoder, 'Discounts', paper(r.discountTotal), columns)
  for (const tax of r.taxes) pair(encoder, tax.label, paper(tax.amount), columns)
  encoder.bold(true)
  pair(encoder, 'TOTAL', paper(r.total), columns)
  encoder.bold(false)
  if (r.rounding) pair(encoder, 'Cash rounding', paper(r.rounding), columns)
  encoder.rule()
  for (const payment of r.payments) pair(encoder, payment.label, paper(payment.amount), columns)
  if (r.change) {
    encoder.bold(true)
    pair(encoder, 'Change', paper(r.change), columns)
    encoder.bold(false)
  }
  if (r.refunds.length) {
    encoder.rule()
    for (const refund of r.refunds) {
      pair(encoder, `${refund.label} · ${refund.when}`, paper(refund.total), columns)
      for (const line of refund.lines) pair(encoder, `  ${line.quantity} x ${line.name}`, paper(line.amount), columns)
      for (const payment of refund.payments) pair(encoder, `  Back: ${payment.label}`, paper(payment.amount), columns)
    }
    encoder.bold(true)
    pair(encoder, 'Refunded', paper(r.refundedTotal ?? ''), columns)
    encoder.bold(false)
  }
  encoder.align('center')
  if (r.customerFirstName) encoder.newline().line(paperLine(`Thank you, ${r.customerFirstName}!`))
  if (r.points) encoder.line(`${r.pointsLabel}: ${r.points}`)
  encoder.newline().line(paperLine(r.footer)).newline()
  if (options.code === 'barcode') encoder.barcode(r.code, 'code128', { height: 60, text: 'below' })
  else if (options.code !== 'none') encoder.qrcode(r.code, { model: 2, size: 6, errorlevel: 'm' })
  encoder.newline().cut('partial')
  return { data: encoder.encode(), unencodable: unencodableCharacters(receiptTexts(r), options.codepageMapping) }
}

/** A plain document (Z report, test page): a title and label/value rows, then the cut */
export function encodeDocument(title: string, rows: [string, string][], options: PaperOptions = {}): Encoded {
  const columns = options.columns ?? 48
  const encoder = encoderFor(options)
  encoder.initialize().codepage('auto').align('center').bold(true).line(paperLine(title)).bold(false).align('left').rule()
  for (const [label, value] of rows) {
    if (value === '') encoder.line(paperLine(label))
    else pair(encoder, label, paper(value), columns)
  }
  encoder.rule().newline().cut('partial')
  const texts = [title, ...rows.flat()]
  return { data: encoder.encode(), unencodable: unencodableCharacters(texts, options.codepageMapping) }
}

/**
 * The drawer-kick pulse (ESC p m t1 t2). Pin 2 is m=0, pin 5 is m=1; on and off are in
 * milliseconds (the printer counts in 2 ms steps, at most 510 ms).
 */
export function encodeDrawerPulse(pin: 2 | 5 = 2, onMs = 100, offMs = 500): Uint8Array {
  return new ReceiptPrinterEncoder({ language: 'esc-pos' }).pulse(pin === 5 ? 1 : 0, onMs, offMs).encode()
}

/**
 * Two lines of 20 characters on an ESC/POS-compatible customer display (pole display on a
 * serial line): ESC @ resets it, FF clears it, then the text, each line padded to the width.
 * Displays carry one code page (CP437 here); other characters lose their accents or become "?".
 */
export function encodeDisplay(lines: string[], width = 20): Encoded {
  const shown = lines.slice(0, 2).map((l) => paperLine(l).slice(0, width).padEnd(width, ' '))
  const text = shown.join('')
  const plain = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  const bytes = CodepageEncoder.encode(plain, 'cp437' as any)
  const unencodable = [...new Set([...plain].filter((c) => c.codePointAt(0)! >= 0x80 && !CodepageEncoder.getEncoding('cp437' as any).codepoints.includes(c.codePointAt(0)!)))]
  return { data: Uint8Array.from([0x1b, 0x40, 0x0c, ...bytes]), unencodable }
}
