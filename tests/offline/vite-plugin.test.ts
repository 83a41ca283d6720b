// The build's half of offline support, on a hand-made bundle: the service worker becomes a fourth
// entry at the root, and the build writes the app-shell list and an id that follows the shell's contents.
import { describe, expect, it } from 'vitest';
import { SERVICE_WORKER_FILE, type OfflineManifest } from '../../src/offline/offline-cache';
import { offlineSupport } from '../../src/offline/vite-plugin';

type FakeOutput = { type: 'chunk'; code: string; imports: string[]; dynamicImports: string[] } | { type: 'asset'; source: string };

function swChunk(imports: string[] = []): FakeOutput {
  return { type: 'chunk', code: 'var m=__DECK_OFFLINE_MANIFEST__;self.addEventListener(`fetch`,()=>m);', imports, dynamicImports: [] };
}

/** Runs the plugin's generateBundle on `bundle` and returns the manifest written into the service worker. */
function generate(bundle: Record<string, FakeOutput>): OfflineManifest {
  const hook = offlineSupport().generateBundle as { handler: (options: unknown, bundle: Record<string, FakeOutput>) => void };
  hook.handler({}, bundle);
  const code = (bundle[SERVICE_WORKER_FILE] as { code: string }).code;
  return JSON.parse(/var m=(.*);self/.exec(code)![1]) as OfflineManifest;
}

const pages = () => ({
  'index.html': { type: 'asset', source: '<script src="./assets/main-a.js"></script>' } as FakeOutput,
  'assets/main-a.js': { type: 'chunk', code: 'console.log(1)', imports: [], dynamicImports: [] } as FakeOutput,
  [SERVICE_WORKER_FILE]: swChunk(),
});

describe('offlineSupport (vite plugin)', () => {
  it('adds the service worker as an entry named service-worker.js at the root, other entries as Vite names them', () => {
    const config = offlineSupport().config as (config: object) => { build: { rolldownOptions: { input: Record<string, string>; output: { entryFileNames: (chunk: { name: string }) => string } } } };
    const { input, output } = config({ build: { rolldownOptions: { input: { main: '/x/index.html' } } } }).build.rolldownOptions;
    expect(input.main).toBe('/x/index.html');
    expect(input['service-worker']).toMatch(/src\/offline\/service-worker\.ts$/);
    expect(output.entryFileNames({ name: 'service-worker' })).toBe(SERVICE_WORKER_FILE);
    expect(output.entryFileNames({ name: 'main' })).toBe('assets/[name]-[hash].js');
  });

  it('writes the shell list and a build id into the service worker', () => {
    const manifest = generate(pages());
    expect(manifest.shell).toEqual(['', 'assets/main-a.js', 'index.html']);
    expect(manifest.buildId).toMatch(/^[0-9a-f]{16}$/);
    expect(generate(pages()).buildId).toBe(manifest.buildId); // the same build, the same id (and cache)
    const changed = pages();
    changed['index.html'] = { type: 'asset', source: '<script src="./assets/main-a.js"></script><p>new</p>' };
    expect(generate(changed).buildId).not.toBe(manifest.buildId);
  });

  it('refuses a service worker that imports a chunk shared with the deck (it must be one classic script)', () => {
    const bundle = { ...pages(), [SERVICE_WORKER_FILE]: swChunk(['assets/shared-x.js']) };
    expect(() => generate(bundle)).toThrow(/shares code/);
  });
});
