// What `npm run bench` measures: the models, the prompt lengths, the generation's length.
export const MODEL = 'sotu-gpt';
/** The same weights converted without the trace outputs: the baseline. */
export const PLAIN = 'sotu-gpt-plain';
export const PROMPT_LENGTHS = [8, 32, 128, 250]; // 250: near the 256-token window, where every slide is at its largest
export const GENERATION_PROMPT_TOKENS = 8;
export const NEW_TOKENS = 32;
/** Timed runs of each generation loop (after one warm-up). */
export const GENERATION_REPS = 5;

const t0 = performance.now();
/** Seconds since the bench started. */
export const elapsedS = () => (performance.now() - t0) / 1000;
/** Progress on stderr, so stdout holds only the table or the JSON. */
export const log = (message: string) => process.stderr.write(`[bench ${elapsedS().toFixed(1)}s] ${message}\n`);
