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
| - The category name key (name_key.ts) drops every one, the kept joiners too, so that no two
|   names that read alike are two categories ("👩‍🍳 Chef" and "👩🍳 Chef" are one).
*/

/** Every format character, as a key drops them (global: for replace) */
export const FORMAT_CHARACTERS = /\p{Cf}/gu

/** The bidi overrides and isolates: refused where they are typed, so never stripped here */
const DIRECTION_OVERRIDES = '\\u202A-\\u202E\\u2066-\\u2069'

/** A letter or mark of a script where U+200C / U+200D show nothing (or a letter of no script) */
const PLAIN_LETTER = String.raw`[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Common}]`
const JOINED_LETTER = String.raw`(?!${PLAIN_LETTER})[\p{L}\p{M}]`
/** An emoji as a ZWJ sequence joins it: the pictograph, perhaps with its presentation selector or skin tone */
const EMOJI = String.raw`\p{Extended_Pictographic}[\u{FE0F}\p{Emoji_Modifier}]?`

/**
 * The format characters a name loses: all but the overrides (refused instead), a ZWJ between two
 * emoji, a flag's tag characters, and a ZWNJ / ZWJ between two letters of a joining script
 */
const INVISIBLE_IN_NAME = new RegExp(
  String.raw`(?!(?<=${EMOJI})\u200D(?=\p{Extended_Pictographic}))` +
    String.raw`(?!(?<=\u{1F3F4}[\u{E0020}-\u{E007F}]*)[\u{E0020}-\u{E007F}])` +
    String.raw`(?!(?<=${JOINED_LETTER})[\u200C\u200D](?=${JOINED_LETTER}))` +
    `(?![${DIRECTION_OVERRIDES}])\\p{Cf}`,
  'gu'
)

/** A typed name without the invisible characters it does not show (the overrides are left for the rule that refuses them) */
export function withoutInvisible(name: string): string {
  return name.replace(INVISIBLE_IN_NAME, '')
}
