// The live slides for any Reveal.js deck, built by `npm run build:plugin` into dist/live-llm/:
// live-llm.js (this module), live-llm.css, and the models/ and ort/ folders next to them.
//
//   import LiveLLM from './live-llm/live-llm.js';
//   Reveal.initialize({ width: 1280, height: 720, plugins: [RevealMarkdown, RevealNotes, LiveLLM] });
//   <section data-live="attention"></section>   or, in markdown:   <!-- .slide: data-live="attention" -->
//
// Reveal calls a plugin given as a function to make it, so `LiveLLM` and `LiveLLM({ prompt: '...' })`
// both work; the same options can sit in Reveal's config under `liveLlm`.
import type { RevealPlugin } from 'reveal.js';
import { createLiveLlmPlugin, type LiveLlmOptions } from '../deck/live-llm-plugin';

export type { LiveLlmOptions };

/** The folder this module was loaded from: models/ and ort/ are copied next to it. */
const ownFolder = new URL(/* @vite-ignore */ './', import.meta.url).href;

export default function LiveLLM(options: LiveLlmOptions = {}): RevealPlugin {
  return createLiveLlmPlugin(options, { assetsRoot: ownFolder });
}
