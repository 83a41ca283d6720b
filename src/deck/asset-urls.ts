// Absolute URLs of the files served next to the deck's build (models/, ort/): the worker lives in
// assets/ and resolves relative URLs against itself, so it is given absolute ones on the deck's origin.
// The Reveal.js plugin build (src/plugin/live-llm.ts) keeps these folders next to its own module instead.
import type { OrtRuntimeUrls } from '../engine/protocol';

/** `path` under the deck's base ("./" by default, or DECK_BASE at build time). */
export function deckUrl(path: string): string {
  return new URL(import.meta.env.BASE_URL + path, document.baseURI).href;
}

/** The folder that holds models/ and ort/: the deck's base unless told otherwise. */
export function defaultAssetsRoot(): string {
  return deckUrl('');
}

/**
 * An absolute path ("/deck/models/"), not a full URL: transformers.js 4.3 checks a local file only
 * when its path is not an http(s) URL, and would report every file of a full URL as missing.
 */
export function modelRootPath(assetsRoot = defaultAssetsRoot()): string {
  return new URL('models/', assetsRoot).pathname;
}

/** The two files vite.config.ts copies from onnxruntime-web (the version transformers.js pins). */
export function ortRuntimeUrls(assetsRoot = defaultAssetsRoot()): OrtRuntimeUrls {
  return {
    mjs: new URL('ort/ort-wasm-simd-threaded.asyncify.mjs', assetsRoot).href,
    wasm: new URL('ort/ort-wasm-simd-threaded.asyncify.wasm', assetsRoot).href,
  };
}
