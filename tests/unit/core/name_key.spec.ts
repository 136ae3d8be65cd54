import { test } from '@japa/runner'
import { nameKey } from '#core/name_key'

/*
| One category name, one key (app/core/name_key.ts): what a store takes as one name, the same on
| SQLite and MariaDB, and what it keeps apart.
*/

test.group('Category name keys', () => {
  test('case over all of Unicode, accents, compatibility forms and ß are folded', ({ assert }) => {
    for (const [a, b] of [
      ['Épicerie', 'épicerie'],
      ['Épicerie', 'EPICERIE'],
      ['Straße', 'STRASSE'],
      ['Ｄｒｉｎｋｓ', 'drinks'],
      ['Çay', 'çay'],
      ['Ωμέγα', 'ΩΜΕΓΑ'],
      ['Мёд', 'МЕД'],
      // Invisible format characters (visible_text.ts) and runs of white space, as a screen shows them
      ['Tea\u200B', 'Tea'],
      ['Tea\uFEFF', 'tea'],
      ['Tea\u200D', 'TEA'],
      ['T\u00ADea', 'Tea'],
      ['\u2060Tea\u200E', 'Tea'],
      ['EPICERIE  FINE', 'épicerie fine'],
      [' Épicerie \u00A0\u3000Fine ', 'epicerie fine'],
      ['👩‍🍳 Chef', '👩🍳 chef'],
    ]) {
      assert.equal(nameKey(a), nameKey(b), `${a} / ${b}`)
    }
  })

  test('different names keep different keys (the vowel signs of other scripts are letters, not accents)', ({ assert }) => {
    for (const [a, b] of [
      ['Tea', 'Teas'],
      ['किताब', 'कताब'],
      ['Drinks', 'Drinks 2'],
      ['Tea Time', 'TeaTime'],
      ['👩‍🍳 Chef', '👨‍🍳 Chef'],
      // A flag's tags are what it shows: Scotland's, Wales's and the plain black flag are three
      ['🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Whisky', '🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F} Whisky'],
      ['🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Whisky', '🏴 Whisky'],
      // A drawn format character (an Arabic number sign) is part of the name
      ['\u0600\u0661\u0662', '\u0661\u0662'],
    ]) {
      assert.notEqual(nameKey(a), nameKey(b), `${a} / ${b}`)
    }
  })
})
