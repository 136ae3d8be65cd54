import type { HttpContext } from '@adonisjs/core/http'

/** Bytes of JSON the flashed input may take: the session is a cookie of at most 4 KB, encrypted */
const FLASHED_INPUT_BUDGET = 1500
const KEPT_OF_A_LONG_TEXT = 120

/**
 * The input a refused form flashes to be filled in again travels in the session cookie. A
 * 10,000-character name made that cookie too large for the browser, which dropped it: the form
 * came back empty, without the message saying what was wrong. Long texts are cut first (they are
 * the ones refused for their length), and if that is not enough no input is kept: the errors are.
 */
export function keepFlashedInputSmall(ctx: HttpContext) {
  if (!('session' in ctx)) return
  const flash = ctx.session.responseFlashMessages
  const input = flash.get('input')
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value))
  if (!input || typeof input !== 'object' || size(input) <= FLASHED_INPUT_BUDGET) return
  const kept: Record<string, unknown> = { ...input }
  const longest = Object.keys(kept)
    .filter((key) => typeof kept[key] === 'string' && (kept[key] as string).length > KEPT_OF_A_LONG_TEXT)
    .sort((a, b) => (kept[b] as string).length - (kept[a] as string).length)
  // Each field cut carries a note (below), which travels in the same cookie: counted in the budget
  const cut: string[] = []
  const fits = () => size(kept) + cut.reduce((bytes, key) => bytes + size({ [key]: [CUT_NOTE] }), 0) <= FLASHED_INPUT_BUDGET
  for (const key of longest) {
    kept[key] = (kept[key] as string).slice(0, KEPT_OF_A_LONG_TEXT)
    cut.push(key)
    if (fits()) break
  }
  if (!fits()) return flash.set('input', {})
  flash.set('input', kept)
  // A text cut that was not itself refused (notes within their limit, beside a wrong email) came
  // back shortened without a word, and the form saved as shown lost the rest: its field says so
  const errors = { ...(flash.get('inputErrorsBag') ?? {}) } as Record<string, string[]>
  for (const key of cut) if (!errors[key]?.length) errors[key] = [CUT_NOTE]
  flash.set('inputErrorsBag', errors)
}

/** Said at a field whose text came back cut (it was not the one refused) */
export const CUT_NOTE = `Cut to its first ${KEPT_OF_A_LONG_TEXT} characters to come back: paste the rest again before saving.`
