import { test } from '@japa/runner'
import { createHash, randomBytes, randomInt } from 'node:crypto'
import { sha256Hex, sha256HexOfBytes, sha256HexOfText } from '#core/sha256'

const nodeHash = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')

/** A random text mixing ASCII, 2-, 3- and 4-byte UTF-8 characters */
function randomText(length: number): string {
  const ranges: [number, number][] = [[0x20, 0x7e], [0xa0, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xfffd], [0x1_0000, 0x1_0ffff]]
  let text = ''
  for (let i = 0; i < length; i++) {
    const [low, high] = ranges[randomInt(ranges.length)]
    text += String.fromCodePoint(randomInt(low, high + 1))
  }
  return text
}

test.group('SHA-256 of the core', () => {
  test('known answers of FIPS 180-4, from this implementation and from Node\'s that sha256Hex takes on the server', ({ assert }) => {
    for (const hash of [sha256HexOfText, sha256Hex]) {
      assert.equal(hash(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
      assert.equal(hash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
      assert.equal(
        hash('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
      )
    }
  })

  test('equals node:crypto on random bytes of every length around the block edges', ({ assert }) => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length)
      assert.equal(sha256HexOfBytes(bytes), nodeHash(bytes), `length ${length}`)
    }
    for (let i = 0; i < 50; i++) {
      const bytes = randomBytes(randomInt(300, 20_000))
      assert.equal(sha256HexOfBytes(bytes), nodeHash(bytes), `length ${bytes.length}`)
    }
  })

  test('equals node:crypto on random multi-byte UTF-8 text', ({ assert }) => {
    for (let i = 0; i < 500; i++) {
      const text = randomText(randomInt(0, 200))
      assert.equal(sha256HexOfText(text), nodeHash(text), JSON.stringify(text))
    }
    for (const text of ['é', '€', '𝄞', 'Café — 壊れた 🍣', '\u0000\n\t"\\', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64)]) {
      assert.equal(sha256HexOfText(text), nodeHash(text), JSON.stringify(text))
    }
  })

  test('hashes a lone surrogate as node:crypto does (U+FFFD)', ({ assert }) => {
    for (const text of ['\ud800', 'a\udc00b', '\ud83c']) assert.equal(sha256HexOfText(text), nodeHash(text))
  })
})
