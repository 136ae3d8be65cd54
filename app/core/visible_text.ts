/*
| Invisible format characters (Unicode category Cf: U+00AD soft hyphen, U+200B..U+200F zero-width
| space, joiners and direction marks, U+2060..U+2064, U+FEFF, the bidi overrides...). A name that
| holds one shows exactly as the name without it: "Tea" + U+200B beside "Tea" made two categories
| that read the same in every list. What each text does with them:
| - A name people read (a product, a category, a customer, a store, a register...) loses them
|   silently (validators/fields.ts nameText, the products CSV's name and category): a name pasted
|   from a web page or a spreadsheet often carries a soft hyphen, a zero-width space or a BOM, and
|   the person meant the name they see. Kept are only the joiners that change what is seen: U+200D
|   inside an emoji sequence ("👩‍🍳" is one emoji, without it two), the tag characters of a
|   subdivision flag (🏴 + tags + cancel tag), and U+200C / U+200D between the letters of a script
|   whose letters they join or break (Persian writes U+200C inside words; Indic scripts pick a
|   conjunct with them) — never beside a Latin, Greek or Cyrillic letter, where they show nothing.
|   The bidi overrides and isolates are not stripped: they are refused (SINGLE_LINE_TEXT), as before.
| - A SKU refuses every one (validators/fields.ts SKU_TEXT): it must be what a scanner sends, and a
|   code silently changed would not be the code printed on the label. A barcode takes only letters,
|   digits, "-", "_" and "." already (barcode.ts).
| - The category name key (name_key.ts) drops every one, the kept joiners and direction marks too,
|   so that no two names that read alike are two categories ("👩‍🍳 Chef" and "👩🍳 Chef" are one);
|   but not a flag's tags: 🏴 Scotland's and 🏴 Wales's are two flags.
| "Invisible" is a format character that is also default-ignorable (drawn as nothing): the Arabic
| number signs are format characters too, and drawn, so they stay everywhere.
*/

/**
 * An invisible format character: one of category Cf that is also default-ignorable (shown as
 * nothing). The Arabic number signs and other prepended marks are Cf but drawn: they stay.
 */
const INVISIBLE = String.raw`(?=\p{Default_Ignorable_Code_Point})\p{Cf}`
/** A flag's tag characters (🏴 then tags): part of what the flag shows, Scotland's or Wales's */
const FLAG_TAG = String.raw`(?<=\u{1F3F4}[\u{E0020}-\u{E007F}]*)[\u{E0020}-\u{E007F}]`

/** The invisible characters a key drops: every one but a flag's tags (global: for replace) */
export const KEY_DROPPED = new RegExp(`(?!${FLAG_TAG})${INVISIBLE}`, 'gu')

/** The bidi overrides and isolates: refused where they are typed, so never stripped here */
const DIRECTION_OVERRIDES = '\\u202A-\\u202E\\u2066-\\u2069'

/** A letter or mark of a script where U+200C / U+200D show nothing (or a letter of no script) */
const PLAIN_LETTER = String.raw`[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Common}]`
const JOINED_LETTER = String.raw`(?!${PLAIN_LETTER})[\p{L}\p{M}]`
/** An emoji as a ZWJ sequence joins it: the pictograph, perhaps with its presentation selector or skin tone */
const EMOJI = String.raw`\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}]?`

/**
 * The invisible characters a name loses: all but the overrides (refused instead), a ZWJ between
 * two emoji, a flag's tag characters, a ZWNJ / ZWJ between two letters of a joining script, and
 * in a name written partly right to left its direction marks (LRM, RLM, ALM: where a "!" goes)
 */
function invisibleInName(keptMarks: string) {
  return new RegExp(
    String.raw`(?!(?<=${EMOJI})\u200D(?=\p{Extended_Pictographic}))` +
      `(?!${FLAG_TAG})` +
      String.raw`(?!(?<=${JOINED_LETTER})[\u200C\u200D](?=${JOINED_LETTER}))` +
      `(?![${DIRECTION_OVERRIDES}${keptMarks}])${INVISIBLE}`,
    'gu'
  )
}
const INVISIBLE_IN_NAME = invisibleInName('')
const INVISIBLE_IN_RTL_NAME = invisibleInName('\\u200E\\u200F\\u061C')
const RIGHT_TO_LEFT = /[\p{sc=Hebrew}\p{sc=Arabic}\p{sc=Syriac}\p{sc=Thaana}\p{sc=Nko}]/u

/** A typed name without the invisible characters it does not show (the overrides are left for the rule that refuses them) */
export function withoutInvisible(name: string): string {
  return name.replace(RIGHT_TO_LEFT.test(name) ? INVISIBLE_IN_RTL_NAME : INVISIBLE_IN_NAME, '')
}
