// What `npm run bench` measures: the models, the prompt lengths, the generation's length.
export const MODEL = 'sotu-gpt';
/** The same weights converted without the trace outputs: the baseline. */
export const PLAIN = 'sotu-gpt-plain';
export const PROMPT_LENGTHS = [8, 32, 128, 250]; // 250: near the 256-token window, where every slide is at its largest
/** SmolLM2-135M's shape with random weights (src/bench/smollm-shaped-model.ts), traced and plain. */
export const SMOLLM_SHAPED = 'smollm2-135m-shaped';
export const SMOLLM_SHAPED_PLAIN = `${SMOLLM_SHAPED}-plain`;
export const GENERATION_PROMPT_TOKENS = 8;
export const NEW_TOKENS = 32;
/** The prompt length of the visible-slide and all-slides figures (the summary), on the attention slide. */
export const SUMMARY_PROMPT_TOKENS = 32;
/** A model the bench runs: its traced folder, the same weights plain, and the prompt lengths it is timed at. */
export interface BenchModel {
  traced: string;
  plain: string;
  lengths: number[];
  /** Prompt lengths of the deck's prompt-edit figures. */
  deckLengths: number[];
  /** Added to the deck's URL (a real-shaped model's answer is cut short so the bench does not wait for it). */
  deckSearch: string;
}
/** The models `npm run bench` runs, the embedded one first. The real-shaped one is timed at fewer lengths (a 250-token
 * forward pass takes seconds on one WASM thread) and its answer is cut to 4 tokens, which the prompt edit does not wait for. */
export const BENCH_MODELS: BenchModel[] = [
  { traced: MODEL, plain: PLAIN, lengths: PROMPT_LENGTHS, deckLengths: PROMPT_LENGTHS, deckSearch: '' },
  { traced: SMOLLM_SHAPED, plain: SMOLLM_SHAPED_PLAIN, lengths: [8, 32, 128], deckLengths: [32], deckSearch: '&max-new-tokens=4' },
];
/** The backend the bench runs on (npm run bench -- --backend webgpu; SwiftShader in headless chromium here). */
export type BenchBackend = 'wasm' | 'webgpu';
/** New tokens generated in the memory figure's run (src/bench/measure-memory.ts). */
export const MEMORY_NEW_TOKENS = 8;
/** Timed runs of each generation loop (after one warm-up). */
export const GENERATION_REPS = 5;
/** The embedded model's: a run is ~40 ms, and five of them left its ratio anywhere from 0.82 to 1.31 between runs. */
export const EMBEDDED_GENERATION_REPS = 25;

const t0 = performance.now();
/** Seconds since the bench started. */
export const elapsedS = () => (performance.now() - t0) / 1000;
/** Progress on stderr, so stdout holds only the table or the JSON. */
export const log = (message: string) => process.stderr.write(`[bench ${elapsedS().toFixed(1)}s] ${message}\n`);
