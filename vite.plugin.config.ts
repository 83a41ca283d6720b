// `npm run build:plugin`: the live slides as a Reveal.js plugin for a presenter's own deck
// (src/plugin/live-llm.ts), in one folder to copy next to that deck:
//   dist/live-llm/live-llm.js      the plugin (an ES module; Reveal.js itself is the deck's own)
//   dist/live-llm/live-llm.css     the slides' styles and KaTeX's (fonts under assets/)
//   dist/live-llm/assets/          the model worker and its chunks
//   dist/live-llm/models/, ort/    the model folders and onnxruntime-web's runtime, as in the deck's build
import { defineConfig } from 'vite';
import deckConfig, { deckStaticFiles } from './vite.config.ts';
import { fontsAsFiles } from './src/cli/fonts-as-files.ts'; // library mode inlines every asset: a strict CSP refuses data: fonts

export default defineConfig({
  base: './',
  plugins: [deckStaticFiles(), fontsAsFiles()],
  resolve: deckConfig.resolve,
  worker: deckConfig.worker,
  publicDir: false,
  build: {
    target: 'es2022',
    outDir: 'dist/live-llm',
    emptyOutDir: true,
    lib: {
      entry: 'src/plugin/live-llm.ts',
      formats: ['es'],
      fileName: () => 'live-llm.js',
      cssFileName: 'live-llm',
    },
    chunkSizeWarningLimit: 2000, // transformers.js + onnxruntime-web are one ~1 MB worker chunk
  },
});
