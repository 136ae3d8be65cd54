import { test } from '@japa/runner'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../../../', import.meta.url))

/*
| The core must bundle for a browser (the offline till runs it): esbuild builds app/core/index.ts
| for the browser platform, where an import of node:* or of a package is not resolved but
| refused here, and the minified bundle stays small.
*/
test.group('The core bundles for a browser', () => {
  test('with no Node builtin and no package, under 24 KB minified', async ({ assert }) => {
    const outside: string[] = []
    const result = await build({
      entryPoints: [`${root}app/core/index.ts`],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'refuse-outside-core',
          setup(b) {
            // Anything that is not a relative path inside app/core: a builtin, a package, an alias
            b.onResolve({ filter: /^[^.]/ }, (args) => {
              if (args.kind === 'entry-point') return undefined
              outside.push(`${args.importer.replace(root, '')} imports ${args.path}`)
              return { path: args.path, external: true }
            })
          },
        },
      ],
    })
    assert.deepEqual(outside, [], `the core imports outside itself:\n${outside.join('\n')}`)
    const inputs = Object.keys(result.metafile.inputs)
    assert.isTrue(inputs.every((file) => file.startsWith('app/core/')), inputs.join(', '))
    const size = result.outputFiles[0].contents.length
    assert.isBelow(size, 24 * 1024, `the core bundle is ${size} bytes`)

    // The bundle runs on its own and computes what the server does
    const core = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].contents).toString('base64')}`)
    assert.equal(core.sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    assert.equal(core.ean13('400638133393'), '4006381333931')
  })
})
