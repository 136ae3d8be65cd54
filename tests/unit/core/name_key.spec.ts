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
    ]) {
      assert.notEqual(nameKey(a), nameKey(b), `${a} / ${b}`)
    }
  })
})
