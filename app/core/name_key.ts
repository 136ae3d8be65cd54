/*
| What makes two category names one name in a store, the same on SQLite and MariaDB: the app
| writes this key beside the name (categories.name_key) and the unique key of (store_id, name_key)
| compares it byte for byte (utf8mb4_bin on MariaDB, SQLite's BINARY). The databases' own
| comparisons disagreed: SQLite's NOCASE folds only A to Z, so "Épicerie" and "épicerie" were two
| categories there and one under MariaDB's utf8mb4_unicode_ci, and a SQLite backup holding both
| could not be restored into MariaDB. The key folds case over all of Unicode and, as MariaDB's
| collation did, accents ("Epicerie" is "Épicerie": the combining accents of the Latin, Greek and
| Cyrillic letters, not the vowel signs other scripts spell words with) and compatibility forms
| (full-width letters, ligatures); upper- then lower-casing folds "ß" into "ss" as that collation does.
| It also drops every invisible format character (visible_text.ts: "Tea" + U+200B or a soft hyphen
| read "Tea" and were a category of their own) and makes each run of white space one space, as HTML
| shows it ("EPICERIE  FINE" beside "épicerie fine" read the same). Migration 0145 keyed the
| categories again with these two rules, merging those that came to share a key.
*/

import { KEY_DROPPED } from './visible_text.js'

/** Longest key kept (the column's length): a name has at most 80 characters, whose forms may grow */
export const NAME_KEY_LENGTH = 255

/** The key two names share when a store takes them as one name */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(KEY_DROPPED, '')
    .toLocaleUpperCase('und')
    .toLocaleLowerCase('und')
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim()
    .slice(0, NAME_KEY_LENGTH)
}
