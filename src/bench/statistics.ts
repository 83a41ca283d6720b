// The bench's statistics: median, min, ratios and throughput of timed repetitions. Pure.
import type { GenerationTimes } from './bench-page';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface Summary {
  medianMs: number;
  minMs: number;
  samplesMs: number[];
}

export const summary = (xs: number[]): Summary => ({ medianMs: round(median(xs)), minMs: round(Math.min(...xs)), samplesMs: xs.map((x) => round(x)) });

/** figure / baseline, two decimals: 2 = takes twice as long. */
export const ratio = (figure: number, baseline: number) => round(figure / baseline, 2);

/** A generation loop's runs: times, and tokens per second at the median and the best run (the last run's token count). */
export function generationSummary(g: GenerationTimes) {
  const ms = g.runs.map((run) => run.ms);
  const newTokens = g.runs[g.runs.length - 1].newTokens;
  const med = median(ms);
  return {
    newTokens,
    runs: g.runs.length,
    medianMs: round(med),
    minMs: round(Math.min(...ms)),
    tokensPerSecond: round((newTokens / med) * 1000, 1),
    bestTokensPerSecond: round((newTokens / Math.min(...ms)) * 1000, 1),
    ids: g.ids,
  };
}
