// The deck's import rules (issue 11 item 5), checked by `npm run lint:imports` (part of `npm test`) and by
// tests/imports/import-rules.test.ts, which also runs them on a fixture with deliberately wrong imports.
// Slides see the Trace, never the engine; the engine never sees views; nothing shipped imports the tests.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'slides-see-the-trace-not-the-engine',
      comment:
        'Slides import only the Trace (src/trace/), views (src/viz/), src/maths/ and src/tokenize/: never the engine, converter, deck, CLI, hub or any other src/ folder.',
      severity: 'error',
      from: { path: '^slides/' },
      to: { path: '^src/', pathNot: '^src/(trace|viz|maths|tokenize)/' },
    },
    {
      name: 'engine-never-sees-views',
      comment: 'The engine computes the Trace; it never imports slides, views (src/viz/) or the deck.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^(slides/|src/viz/|src/deck/)' },
    },
    {
      name: 'only-the-cli-reaches-the-hub',
      comment:
        'src/hub/ talks to the Hugging Face Hub for `npm run model:add`; the deck (slides, views, engine, deck) makes no request off its own origin, so only src/cli/ may import it.',
      severity: 'error',
      from: { path: '^(src|slides)/', pathNot: '^src/(cli|hub)/' },
      to: { path: '^src/hub/' },
    },
    {
      name: 'nothing-shipped-imports-tests',
      comment: 'Code under src/ and slides/ never imports tests/: tools the tests share live under src/.',
      severity: 'error',
      from: { path: '^(src|slides)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    // Only our own modules matter: packages are neither followed nor reported.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    // Type-only imports count: a slide importing the engine's types still depends on the engine.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `import x from './a'` resolves to a.ts or a/index.ts as the bundler does (moduleResolution: Bundler).
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
