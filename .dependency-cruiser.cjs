/*
| The import rules of the code (docs/architecture.md says why), checked by
| tests/unit/architecture.spec.ts in `npm test`, or by hand: npx depcruise app commands start config plugins database
| Aliases (#sales/*, #core/*...) resolve through tsconfig.json's paths, which mirror package.json's imports.
*/
// The domain modules (docs/architecture.md): each holds its services
const DOMAINS = 'platform|backups|staff|catalog|inventory|sales|returns|customers|shifts|reports|accounting|stores|hardware|plugins'
const LOWER = `^app/(core|models|events|exceptions|${DOMAINS})/`

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circle, except among Lucid models that declare both sides of a relationship',
      severity: 'error',
      from: { pathNot: '^app/models/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment: 'app/core runs in the browser too: it imports only app/core',
      severity: 'error',
      from: { path: '^app/core/' },
      to: { pathNot: '^app/core/' },
    },
    {
      name: 'platform-is-below-the-domains',
      comment: 'app/platform is what every domain uses (transactions, batching, idempotency, live updates, time, health, metrics): it imports no domain',
      severity: 'error',
      from: { path: '^app/platform/' },
      to: { path: `^app/(${DOMAINS.replace('platform|', '')})/` },
    },
    {
      name: 'models-import-no-logic',
      comment: 'A model imports models, the core and libraries: never services, plugins, hardware or HTTP code',
      severity: 'error',
      from: { path: '^app/models/' },
      to: { path: `^app/(${DOMAINS}|controllers|middleware|validators|listeners|events)/` },
    },
    {
      name: 'no-upward-to-http',
      comment: 'Services, plugins, hardware and models never import controllers or middleware (controllers import services)',
      severity: 'error',
      from: { path: LOWER },
      to: { path: '^app/(controllers|middleware)/' },
    },
    {
      name: 'app-not-from-entry-points',
      comment: 'The application never imports commands, tests or the routes that sit on top of it',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^(commands|tests)/|^start/routes' },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that cannot be resolved is a typo or a missing alias in tsconfig.json paths',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|build|tmp|storage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
}
