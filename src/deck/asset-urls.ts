// Absolute URLs of the files the deck serves next to its build: the worker lives in assets/ and
// resolves relative URLs against itself, so it is given absolute ones on the deck's origin.
import type { OrtRuntimeUrls } from '../engine/protocol';

/** `path` under the deck's base ("./" by default, or DECK_BASE at build time). */
export function deckUrl(path: string): string {
  return new URL(import.meta.env.BASE_URL + path, document.baseURI).href;
}

/**
 * An absolute path ("/deck/models/"), not a full URL: transformers.js 4.3 checks a local file only
 * when its path is not an http(s) URL, and would report every file of a full URL as missing.
 */
export function modelRootPath(): string {
  return new URL(deckUrl('models/')).pathname;
}

/** The two files vite.config.ts copies from onnxruntime-web (the version transformers.js pins). */
export function ortRuntimeUrls(): OrtRuntimeUrls {
  return {
    mjs: deckUrl('ort/ort-wasm-simd-threaded.asyncify.mjs'),
    wasm: deckUrl('ort/ort-wasm-simd-threaded.asyncify.wasm'),
  };
}
