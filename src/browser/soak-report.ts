// The soak's figures (npm run soak): memory and DOM counters sampled every 50 prompt edits, and the
// verdict on them. Pure, so the growth rule is tested in Node without a browser.

/** One sample, taken after `edit` prompt edits, with garbage collected first. Sizes in bytes; null where the browser did not say. */
export interface SoakSample {
  edit: number;
  /** The deck page's JS heap in use (CDP Runtime.getHeapUsage). */
  pageHeap: number;
  /** Of it, from a heap snapshot (src/browser/heap-snapshot-split.ts): V8's optimised machine code (Maglev, TurboFan) and how many functions have it. */
  pageOptimised: number | null;
  optimisedFunctions: number | null;
  /** The page's JS heap less that optimised code: everything the page keeps but the optimiser's output. */
  pageRest: number | null;
  /** Of the snapshot, everything but compiled code (bytecode, baseline and optimised code): the deck's objects, strings, closures. */
  pageObjects: number | null;
  /** The engine worker's JS heap in use, or null when it could not be read. */
  workerHeap: number | null;
  /** Memory.getDOMCounters: nodes and JS event listeners of the page. */
  domNodes: number;
  listeners: number;
  /** Resident memory (RSS) of the browser's renderer processes for this run, or null off Linux. */
  rendererMemory: number | null;
}

export type SoakMetric = 'pageHeap' | 'pageOptimised' | 'optimisedFunctions' | 'pageRest' | 'pageObjects' | 'workerHeap' | 'domNodes' | 'listeners' | 'rendererMemory';
export const SOAK_METRICS: readonly SoakMetric[] = ['pageHeap', 'pageOptimised', 'optimisedFunctions', 'pageRest', 'pageObjects', 'workerHeap', 'domNodes', 'listeners', 'rendererMemory'];
/**
 * The figures the verdict judges. The page's whole heap and its optimised code are shown, not judged: over the
 * first few hundred edits V8 keeps optimising more of the deck's functions for the first time (slide renderers
 * and notes, called once or a few times per edit, reach Maglev after 70 to 300+ edits), one code object per
 * function, never two; that is the JIT warming up to a bound (the functions the deck runs), not something the
 * deck keeps. Everything else in the page's heap is judged (pageRest), and so is all the rest.
 */
export const JUDGED_METRICS: readonly SoakMetric[] = ['pageRest', 'workerHeap', 'domNodes', 'listeners', 'rendererMemory'];

/** Growth must stay under this fraction from the first sample (edit 50) to the last (edit 300). */
export const SOAK_GROWTH_LIMIT = 0.1;

export interface MetricGrowth {
  metric: SoakMetric;
  from: number | null;
  to: number | null;
  /** (to - from) / from; null when either is missing or `from` is 0. */
  growth: number | null;
  /** Judged (JUDGED_METRICS) or only shown. */
  judged: boolean;
  ok: boolean;
}

/** Growth of every metric from the first sample to the last; a metric the browser did not report is not judged (ok). */
export function soakGrowth(samples: readonly SoakSample[], limit = SOAK_GROWTH_LIMIT): MetricGrowth[] {
  const first = samples[0];
  const last = samples[samples.length - 1];
  return SOAK_METRICS.map((metric) => {
    const from = first?.[metric] ?? null;
    const to = last?.[metric] ?? null;
    const growth = from === null || to === null || from === 0 || samples.length < 2 ? null : (to - from) / from;
    const judged = JUDGED_METRICS.includes(metric);
    return { metric, from, to, growth, judged, ok: !judged || growth === null || growth < limit };
  });
}

export function soakPassed(growth: readonly MetricGrowth[]): boolean {
  return growth.every((metric) => metric.ok);
}

const labels: Record<SoakMetric, string> = {
  pageHeap: 'page JS heap',
  pageOptimised: '… optimised code',
  optimisedFunctions: '(functions)',
  pageRest: '… without it',
  pageObjects: '… objects',
  workerHeap: 'worker JS heap',
  domNodes: 'DOM nodes',
  listeners: 'listeners',
  rendererMemory: 'renderer RSS',
};
const isBytes = (metric: SoakMetric) => metric !== 'domNodes' && metric !== 'listeners' && metric !== 'optimisedFunctions';

function formatValue(metric: SoakMetric, value: number | null): string {
  if (value === null) return '–';
  return isBytes(metric) ? `${(value / 2 ** 20).toFixed(1)} MiB` : String(value);
}

/** The samples as a text table (one row per sample) and the growth line under it (in brackets: shown, not judged). */
export function soakTable(samples: readonly SoakSample[], limit = SOAK_GROWTH_LIMIT): string {
  const header = ['edits', ...SOAK_METRICS.map((metric) => labels[metric])];
  const rows = samples.map((sample) => [String(sample.edit), ...SOAK_METRICS.map((metric) => formatValue(metric, sample[metric]))]);
  const growth = soakGrowth(samples, limit);
  const percent = (g: MetricGrowth) => `${g.growth! >= 0 ? '+' : ''}${(g.growth! * 100).toFixed(1)}%`;
  rows.push([`growth`, ...growth.map((g) => (g.growth === null ? '–' : `${g.judged ? '' : '('}${percent(g)}${g.judged ? '' : ')'}${g.ok ? '' : ' ✗'}`))]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
