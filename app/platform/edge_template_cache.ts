import type { Edge } from 'edge.js'

/**
 * Two things Edge does again on every request even with its template cache on (production):
 * - an @include is compiled again at each render, because Edge caches only templates compiled
 *   without local variable names and an include always passes a list of them (even an empty one);
 * - its components plugin lists the components folder on disk each time a renderer is made.
 * The compiled function of an include depends only on the file and those names, and the
 * components folder does not change while the server runs, so both are kept once made.
 */
export function cacheEdgeTemplates(edge: Edge) {
  if (!edge.compiler.cacheManager.enabled) return
  for (const compiler of [edge.compiler, edge.asyncCompiler]) {
    const compile = compiler.compile.bind(compiler)
    const compiled = new Map<string, ReturnType<typeof compile>>()
    compiler.compile = (templatePath: string, localVariables?: string[]) => {
      if (!localVariables) return compile(templatePath)
      const key = `${templatePath}\0${localVariables.join(',')}`
      let template = compiled.get(key)
      if (!template) {
        template = compile(templatePath, localVariables)
        compiled.set(key, template)
      }
      return template
    }
  }
  const listComponents = edge.loader.listComponents.bind(edge.loader)
  let components: ReturnType<typeof listComponents> | undefined
  edge.loader.listComponents = () => (components ??= listComponents())
}
