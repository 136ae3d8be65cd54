/*
| A quote that opens a cell of the products CSV and does not close where the cell ends (`"Best"
| Coffee`, a cell typed by hand) made papaparse read the lines after it into that one cell, up to
| the next quote or to the end of the file: those rows were neither imported nor listed as errors
| (a file of 3,000 rows previewed as "2 rows"). The file's text is followed as papaparse reads it
| (a cell is quoted when its first character is a quote; "" inside is a quote; the closing quote is
| followed by spaces at most, then the delimiter or the line's end), and such a quote is said with
| its line, before anything is written.
*/
const DELIMITERS = [',', ';', '\t']
const [QUOTE, SPACE, LF, CR, BOM] = ['"', ' ', '\n', '\r', '\ufeff'].map((char) => char.charCodeAt(0))

export class QuoteCheck {
  #delimiter = -1
  #line = 1
  #fieldStart = true
  #quoted = false
  #quotedFrom = 0
  #cell = ''
  #afterQuote = false
  #spacesAfterQuote = false
  #problem: string | null = null

  /** Follows the next piece of the file's text; returns the problem found, if any (then stops) */
  feed(text: string): string | null {
    if (this.#problem) return this.#problem
    // The delimiter papaparse would guess, from the header line: the one it holds most of outside
    // quoted names (a header cell "a,b,c,d" in a file of semicolons counted four commas)
    if (this.#delimiter === -1) {
      const header = text.split('\n', 1)[0].replace(/"(?:[^"]|"")*"/g, '')
      const counts = DELIMITERS.map((d) => header.split(d).length)
      this.#delimiter = DELIMITERS[counts.indexOf(Math.max(...counts))].charCodeAt(0)
    }
    // Locals in the loop, written back after it: the fields read a character at a time were slow
    const delimiter = this.#delimiter
    let { line, fieldStart, quoted, afterQuote, spacesAfterQuote, cell } = this.#state()
    let problemAt = -1
    for (let index = 0; index < text.length; index++) {
      const char = text.charCodeAt(index)
      if (quoted) {
        if (cell.length < 30) cell += text[index]
        if (afterQuote) {
          if (char === QUOTE && !spacesAfterQuote) {
            afterQuote = false
            continue
          }
          if (char === SPACE) {
            spacesAfterQuote = true
            continue
          }
          if (char !== delimiter && char !== LF && char !== CR) {
            problemAt = index
            break
          }
          quoted = false
        } else {
          if (char === QUOTE) {
            afterQuote = true
            spacesAfterQuote = false
          } else if (char === LF) line++
          continue
        }
      }
      if (char === BOM && line === 1 && fieldStart) continue
      if (char === QUOTE && fieldStart) {
        quoted = true
        this.#quotedFrom = line
        cell = '"'
        afterQuote = false
        fieldStart = false
      } else if (char === LF) {
        line++
        fieldStart = true
      } else {
        fieldStart = char === delimiter || char === CR
      }
    }
    this.#line = line
    this.#fieldStart = fieldStart
    this.#quoted = quoted
    this.#afterQuote = afterQuote
    this.#spacesAfterQuote = spacesAfterQuote
    this.#cell = cell
    // The rest of the cell's line, to show which cell
    if (problemAt >= 0) return (this.#problem = this.#unclosed(text.slice(problemAt + 1, problemAt + 30)))
    return null
  }

  /** At the end of the file: a quoted cell still open is the problem */
  end(): string | null {
    if (!this.#problem && this.#quoted && !this.#afterQuote) this.#problem = this.#unclosed()
    return this.#problem
  }

  #state() {
    return { line: this.#line, fieldStart: this.#fieldStart, quoted: this.#quoted, afterQuote: this.#afterQuote, spacesAfterQuote: this.#spacesAfterQuote, cell: this.#cell }
  }

  #unclosed(after = '') {
    const cell = (this.#cell + after).replace(/[\r\n].*$/s, '').slice(0, 24)
    return (
      `Line ${this.#quotedFrom}: the quote that opens the cell ${cell}… does not close where the cell ends, so the lines after it ` +
      `would be read into that one cell and left out. Put the whole cell in quotes and double the quotes inside it ` +
      `("""Best"" Coffee"), or take the quote out, and upload the file again.`
    )
  }
}
