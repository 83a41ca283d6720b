// The build's half of offline support (used by vite.config.ts): builds src/offline/service-worker.ts
// into <out>/service-worker.js (not hashed, at the root: its URL must stay the same across builds, and
// its scope is the folder it is in), and writes into it the list of app-shell files and this build's id.
// Runs in Node at build time only; `npm start` (dev) registers no service worker.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { appShellFiles, SERVICE_WORKER_FILE, type OfflineManifest } from './offline-cache.ts'; // with its extension, like vite.config.ts's imports

const ENTRY = 'service-worker';
/** The identifier service-worker.ts declares and the build replaces with the manifest. */
const PLACEHOLDER = '__DECK_OFFLINE_MANIFEST__';

export function offlineSupport(): Plugin {
  return {
    name: 'deck-offline-support',
    apply: 'build',
    config(config) {
      const input = config.build?.rolldownOptions?.input;
      if (typeof input !== 'object' || Array.isArray(input)) throw new Error('offlineSupport: build.rolldownOptions.input must name its entries');
      const assetsDir = config.build?.assetsDir ?? 'assets';
      return {
        // Tells register-offline.ts that this build has a service worker, and where (unset in dev,
        // whatever NODE_ENV says: the browser tests build under vitest's NODE_ENV=test).
        define: { 'import.meta.env.DECK_SERVICE_WORKER': JSON.stringify(SERVICE_WORKER_FILE) },
        build: {
          rolldownOptions: {
            input: { ...input, [ENTRY]: fileURLToPath(new URL('service-worker.ts', import.meta.url)) },
            // Every other entry keeps Vite's default name.
            output: { entryFileNames: (chunk) => (chunk.name === ENTRY ? SERVICE_WORKER_FILE : `${assetsDir}/[name]-[hash].js`) },
          },
        },
      };
    },
    generateBundle: {
      order: 'post', // after Vite has emitted the HTML pages
      handler(_options, bundle) {
        const worker = bundle[SERVICE_WORKER_FILE];
        if (worker?.type !== 'chunk') throw new Error(`offlineSupport: no ${SERVICE_WORKER_FILE} in the bundle`);
        // A service worker is a classic script here (module service workers are not everywhere yet).
        if (worker.imports.length > 0 || worker.dynamicImports.length > 0) throw new Error(`offlineSupport: ${SERVICE_WORKER_FILE} shares code with the deck (${worker.imports.join(', ')}); keep its imports to itself`);
        const shell = appShellFiles(Object.keys(bundle));
        const hash = createHash('sha256');
        for (const file of shell) {
          const output = bundle[file];
          if (output) hash.update(file).update('\0').update(output.type === 'chunk' ? output.code : output.source).update('\0');
        }
        const manifest: OfflineManifest = { buildId: hash.digest('hex').slice(0, 16), shell };
        const [before, ...rest] = worker.code.split(PLACEHOLDER);
        if (rest.length !== 1) throw new Error(`offlineSupport: expected ${PLACEHOLDER} once in ${SERVICE_WORKER_FILE}, found it ${rest.length} times`);
        worker.code = before + JSON.stringify(manifest) + rest[0];
      },
    },
  };
}
