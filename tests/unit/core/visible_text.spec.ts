import { test } from '@japa/runner'
import { withoutInvisible } from '#core/visible_text'

/*
| What a typed name keeps of the invisible format characters (app/core/visible_text.ts): none that
| shows nothing, every joiner that changes what is seen, and the overrides, left for the rule that
| refuses them.
*/

test.group('Invisible characters in a name', () => {
  test('zero-width spaces, joiners beside Latin letters, soft hyphens, BOMs, word joiners and direction marks are dropped', ({ assert }) => {
    for (const [typed, kept] of [
      ['Tea\u200B', 'Tea'],
      ['Tea\uFEFF', 'Tea'],
      ['Tea\u200D', 'Tea'],
      ['Tea\u00AD', 'Tea'],
      ['\u200BTe\u200Ca', 'Tea'],
      ['Choco\u00ADlate\u2060 bar\u200E', 'Chocolate bar'],
      ['Ελλη\u200Dνικά', 'Ελληνικά'],
      ['Tea\u{E0041}', 'Tea'],
    ]) {
      assert.equal(withoutInvisible(typed), kept, JSON.stringify(typed))
    }
  })

  test('names that read as written are kept: accents, Greek, ZWJ emoji, a flag, Persian and Devanagari joiners', ({ assert }) => {
    for (const name of ['Crème brûlée', 'Ελληνικά', '👩‍🍳 Chef', '🧑🏽‍🍳 Cook', '🏳️‍🌈 Pride', '🏃‍♂️ Run', '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Whisky', 'می‌خواهم', 'क्‍ष']) {
      assert.equal(withoutInvisible(name), name, name)
    }
  })

  test('a name written right to left keeps its direction marks; drawn format characters stay everywhere', ({ assert }) => {
    for (const name of ['שלום!‏', 'مرحبا؜!', '؀١٢ Dates']) {
      assert.equal(withoutInvisible(name), name, JSON.stringify(name))
    }
  })

  test('the text-direction overrides are left for the rule that refuses them', ({ assert }) => {
    assert.equal(withoutInvisible('Drinks\u202Egnp.exe'), 'Drinks\u202Egnp.exe')
    assert.equal(withoutInvisible('a\u2066b\u2069'), 'a\u2066b\u2069')
  })
})
