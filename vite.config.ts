// Vite serves and builds the deck. Two kinds of files are not part of the module graph and are
// served by the small plugin below: the model folders (assets/models/<name>/ -> <base>models/<name>/)
// and onnxruntime-web's WebAssembly runtime (-> <base>ort/), so the deck never fetches from a CDN.
//
//   DECK_BASE=/talks/llm/ npm run build   builds for a sub-path (default "./": works from any folder)
//   DECK_MODELS=/some/folder npm start    serves model folders from elsewhere (default assets/models)
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { sendFile } from './src/cli/send-file.ts'; // with its extension: Vite's native config loader needs it
import { modelsJsonMiddleware, writeModelsJson } from './src/cli/models-json.ts'; // models/models.json: the title slide's model menu
import { offlineSupport } from './src/offline/vite-plugin.ts';
import { fontsAsFiles as inlinedFontsAsFiles } from './src/cli/fonts-as-files.ts'; // a strict CSP refuses data: fonts

const modelsFolder = resolve(process.env.DECK_MODELS ?? 'assets/models');

/** The two runtime files transformers.js asks onnxruntime-web for (see src/engine/worker.ts). */
const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

/** onnxruntime-web's dist folder: the copy transformers.js itself resolves, checked against the version it pins. */
function onnxruntimeWebDist(): string {
  const transformersPackage = packageJsonOf(createRequire(import.meta.url).resolve('@huggingface/transformers'));
  const pinned = (JSON.parse(readFileSync(transformersPackage, 'utf8')) as { dependencies: Record<string, string> }).dependencies['onnxruntime-web'];
  // Resolve from transformers.js's own folder, so a nested copy wins over a hoisted one, as in Node.
  let folder = dirname(transformersPackage);
  for (;;) {
    const candidate = join(folder, 'node_modules', 'onnxruntime-web');
    if (existsSync(join(candidate, 'package.json'))) {
      const version = (JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { version: string }).version;
      if (version !== pinned) throw new Error(`onnxruntime-web ${version} found, but transformers.js pins ${pinned}: run npm ci`);
      return join(candidate, 'dist');
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('onnxruntime-web not found next to @huggingface/transformers');
    folder = parent;
  }
}

/** The package.json above a resolved entry file (packages may not export their package.json). */
function packageJsonOf(entry: string): string {
  for (let folder = dirname(entry); dirname(folder) !== folder; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'package.json');
  }
  throw new Error(`no package.json above ${entry}`);
}

const contentTypes: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.onnx_data': 'application/octet-stream', // external weights (models past 2 GiB), streamed and served by range like the rest
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Serves the files `lookup` finds for a path below the base, with exact MIME types, no caching (a
 * retrained model must never be served stale), and HEAD. Also used by `vite preview`: its own file
 * server sends model.onnx with an empty Content-Type, compressed on the fly, and Chrome's fetch of
 * it fails with "network error".
 */
function serveFiles(base: string, lookup: (path: string) => string | null): Middleware {
  return (req, res, next) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent((req.url ?? '/').split('?')[0]);
    } catch {
      return next(); // a malformed %-escape is not one of our files
    }
    const relative = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\//, '');
    const file = lookup(relative);
    if (file === null) return next();
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end(`not found: ${relative}`);
      return;
    }
    sendFile(req, res, file, contentTypes[extname(file)] ?? 'application/octet-stream');
  };
}

/**
 * Written by hand because Vite's publicDir takes one folder and copies it whole: this serves two
 * folders under their own URL prefixes in dev, and copies them into the build output.
 */
export function deckStaticFiles(): Plugin {
  const ortDist = onnxruntimeWebDist();
  /** The file for a path below the base, from the model folders and onnxruntime-web's dist (dev). */
  const sourceFile = (path: string): string | null => {
    if (path.startsWith('models/')) return insideFolder(modelsFolder, path.slice('models/'.length));
    if (path.startsWith('ort/') && ORT_RUNTIME_FILES.includes(path.slice('ort/'.length))) return join(ortDist, path.slice('ort/'.length));
    return null;
  };
  let outDir = 'dist';
  /** The same paths in the build output (preview). */
  const builtFile = (path: string): string | null => (path.startsWith('models/') || path.startsWith('ort/') ? insideFolder(outDir, path) : null);
  return {
    name: 'deck-static-files',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(modelsJsonMiddleware(server.config.base, modelsFolder)); // a fresh scan on every request
      server.middlewares.use(serveFiles(server.config.base, sourceFile)); // base: "/" or "/sub/" ("./" is "/" in dev)
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveFiles(server.config.base, builtFile));
    },
    writeBundle() {
      if (existsSync(modelsFolder)) cpSync(modelsFolder, join(outDir, 'models'), { recursive: true });
      else this.warn(`no model folders at ${modelsFolder}: the built deck will say the model is missing`);
      if (existsSync(modelsFolder)) writeModelsJson(modelsFolder, join(outDir, 'models', 'models.json')); // the folders just copied
      for (const name of ORT_RUNTIME_FILES) cpSync(join(ortDist, name), join(outDir, 'ort', name));
    },
  };
}

/** A path inside `folder`, or null when `relative` would step outside it ("../"). */
function insideFolder(folder: string, relative: string): string | null {
  const file = resolve(folder, relative);
  return file.startsWith(folder + sep) ? file : null;
}

export default defineConfig({
  base: process.env.DECK_BASE ?? './',
  // offlineSupport: the service worker that keeps a loaded deck working offline (src/offline/), built
  // to <out>/service-worker.js as a fourth entry.
  plugins: [deckStaticFiles(), inlinedFontsAsFiles(), offlineSupport()],
  resolve: {
    // onnxruntime-web's default build inlines a URL to its 26 MB wasm, which Vite would copy as an
    // asset; this condition picks the build that loads the runtime from env.wasm.wasmPaths instead.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: { format: 'es' },
  optimizeDeps: {
    // Pre-bundling would move onnxruntime-web away from the files the worker expects.
    exclude: ['@huggingface/transformers', 'onnxruntime-web'],
  },
  build: {
    target: 'es2022',
    // Three pages: the deck, the bench page that `npm run bench` drives (src/bench/bench-page.ts), and
    // the preflight page the presenter opens before the talk (src/preflight/preflight-page.ts).
    // rolldownOptions is Vite 8's name for rollupOptions (the old name is a deprecated alias).
    rolldownOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), bench: fileURLToPath(new URL('bench.html', import.meta.url)), preflight: fileURLToPath(new URL('preflight.html', import.meta.url)) } },
    chunkSizeWarningLimit: 2000, // transformers.js + onnxruntime-web are one ~1 MB worker chunk
    assetsInlineLimit: fontsAsFiles,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});

/** KaTeX's fonts stay files (a strict CSP's font-src 'self' refuses data: URIs); other small assets follow Vite's default. */
export function fontsAsFiles(file: string): boolean | undefined {
  return /\.(woff2?|ttf|otf)$/.test(file) ? false : undefined;
}
