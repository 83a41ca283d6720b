// Slide: the KV cache. Its real size per token from this model's config (nLayer × nHead × headDim × 2 × 4
// bytes, float32 as this deck runs it), its growth over the prompt and the generated tokens up to the
// context limit, and the time per token measured live with and without the cache.
//
// Test hooks (full precision):
//   .kv-cache-body   data-bytes-per-token, data-sequence-length (prompt + generated tokens),
//                    data-cache-bytes (the cache holding that sequence), data-context-length,
//                    data-context-bytes (the cache at the context limit),
//                    data-cached-mean-ms, data-uncached-mean-ms (mean of each run's steps[i].ms; absent
//                    while a run has no step), data-speedup (uncached mean / cached mean),
//                    data-same-tokens ("true"/"false"; absent before the uncached run starts),
//                    data-compared (steps compared), data-first-difference (0-based step, when they differ)
//   .chart-line.kv-time-cached / .kv-time-uncached   data-ms: each step's ms, comma-separated
//   .kv-uncached-cap data-uncached-limit: the run without the cache stops after this many steps
//   .kv-prefix-reuse (a follow-up turn) data-cached-tokens, data-input-tokens, data-reused-prefill-ms,
//                    data-full-prefill-ms, data-same-first-token: the previous turn's cache reused
//   table.kv-rows    the cache, one row per token: tr.kv-row data-position (0-based), data-token-id,
//                    data-kind (prompt | generated), data-cache-bytes (the cache once this row is written),
//                    data-replay-order; tr.kv-row-gap data-rows (rows summarised), data-kind
// No view state.
//
// Motion (issue 12 item 8): the cache's rows are a replay fragment (src/viz/replay.ts): → shows them
// filling, the prompt's rows at once (one pass), then one row per generated token in order. Before the →
// and after, reduced motion and print: every row at once (the final state).
import {
  cacheBytesPerToken,
  FP16_BYTES,
  FP32_BYTES,
  formatBytes,
  GPT2_SMALL_SHAPE,
  modelCacheShape,
} from '../src/maths/kv-cache';
import { compareRuns, meanStepMs, type RunComparison } from '../src/maths/generation-summary';
import type { Generation, GenerationRun, PrefixReuse, Trace } from '../src/trace';
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { currentGeneration, generatingMark, notStartedMessage } from '../src/viz/generation-parts';
import { lineChart } from '../src/viz/line-chart';
import { rerenderKeepingFragments } from '../src/viz/fragment-state';
import { replayItem, replayScope } from '../src/viz/replay';
import { startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip, tokenDisplayText, type ChipToken } from '../src/viz/token-chip';
import type { SlideContext, SlideModule } from './slide';
import './22-kv-cache.css';

const CHART_WIDTH = 600;
const CHART_HEIGHT = 250;
const GROWTH_HEIGHT = 210;
/** Rows drawn for each part of the cache; a longer part shows its first and last rows and counts the rest. */
const PROMPT_ROWS = 3;
const GENERATED_ROWS = 7;

/** 0.734 -> "0.73 ms", 12.34 -> "12.3 ms". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/** 3.456 -> "3.5×". */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}×` : 'n/a';
}

interface KvNumbers {
  perToken: number;
  promptLength: number;
  sequenceLength: number;
  contextLength: number;
}

function kvNumbers(trace: Trace, generation: Generation | null): KvNumbers {
  const promptLength = generation ? generation.promptIds.length : trace.tokens.length;
  const generated = generation ? generation.cached.steps.length : 0;
  return {
    perToken: cacheBytesPerToken(modelCacheShape(trace.model), FP32_BYTES),
    promptLength,
    sequenceLength: promptLength + generated,
    contextLength: trace.model.contextLength,
  };
}

function perTokenFormula(trace: Trace, perToken: number): HTMLElement {
  const { nLayer, nHead: kvHeads, headDim } = modelCacheShape(trace.model);
  const headsLabel = kvHeads === trace.model.nHead ? 'heads' : 'key/value heads';
  const tex = String.raw`\underbrace{${nLayer}}_{\text{layers}} \times \underbrace{${kvHeads}}_{\text{${headsLabel}}} \times \underbrace{${headDim}}_{\text{head width}} \times \underbrace{2}_{k,\,v} \times \underbrace{${FP32_BYTES}\ \text{bytes}}_{\text{float32}} = ${formatCount(perToken).replace(/,/g, '{,}')}\ \text{bytes per token}`;
  return html('div', { className: 'kv-formula' }, [formula(tex)]);
}

/** Which of `count` rows to draw: all, or the first `head` and last `tail` with the count of the others between. */
function rowsShown(count: number, most: number, tail: number): { shown: number[]; gapAfter: number | null } {
  if (count <= most) return { shown: Array.from({ length: count }, (_, i) => i), gapAfter: null };
  const head = most - tail - 1; // one line goes to the count
  return { shown: [...Array.from({ length: head }, (_, i) => i), ...Array.from({ length: tail }, (_, i) => count - tail + i)], gapAfter: head - 1 };
}

/**
 * The cache itself: one row per token, a key and a value cell for every layer, and the cache's size once
 * the row is written. The rows are a replay (→): the prompt's at once, then each generated token's in order.
 */
function cacheRows(trace: Trace, generation: Generation | null, numbers: KvNumbers): HTMLTableElement {
  const { nLayer } = modelCacheShape(trace.model);
  const promptIds = generation ? generation.promptIds : trace.tokens.map((token) => token.id);
  // The Trace's own tokens (with their bytes, for a piece of a character) when they are the prompt the cache holds.
  const promptToken = (i: number): ChipToken => (promptIds.length === trace.tokens.length ? trace.tokens[i] : { text: `id ${promptIds[i]}`, id: promptIds[i] });
  const steps = generation ? generation.cached.steps : [];
  const table = html('table', { className: 'kv-rows', attrs: { 'aria-label': 'The KV cache, one row per token' } });
  const layers = nLayer === 1 ? 'layer 1' : `layers 1–${nLayer}`;
  table.append(
    html('thead', {}, [
      html('tr', {}, [html('th', { text: '#' }), html('th', { text: 'token' }), html('th', { text: `K, ${layers}` }), html('th', { text: `V, ${layers}` }), html('th', { text: 'cache' })]),
    ]),
  );
  const cells = (kind: 'k' | 'v') => html('td', { className: `kv-cells kv-cells-${kind}` }, Array.from({ length: nLayer }, () => html('span', { className: `kv-cell kv-cell-${kind}` })));
  const body = html('tbody');
  let order = 0; // the replay's order: the prompt's rows at 0 (one pass), then each drawn generated line
  const row = (position: number, kind: 'prompt' | 'generated', token: ChipToken) => {
    const id = token.id ?? -1;
    const chip = tokenChip(token, { coloured: false });
    if (kind === 'generated') chip.classList.add('generated-chip');
    else chip.classList.add('prompt-chip');
    const tr = html('tr', {
      className: `kv-row kv-row-${kind}`,
      attrs: { 'data-position': position, 'data-token-id': id, 'data-kind': kind, 'data-cache-bytes': numbers.perToken * (position + 1), 'data-replay-order': order },
    });
    tr.append(html('td', { className: 'kv-position', text: String(position + 1) }), html('td', { className: 'kv-token' }, [chip]), cells('k'), cells('v'), html('td', { className: 'kv-size', text: formatBytes(numbers.perToken * (position + 1)) }));
    return replayItem(tr, order);
  };
  const gap = (rows: number, kind: 'prompt' | 'generated') =>
    replayItem(
      html('tr', { className: 'kv-row-gap', attrs: { 'data-rows': rows, 'data-kind': kind, 'data-replay-order': order } }, [
        html('td', {}),
        html('td', { attrs: { colspan: 4 }, text: `⋮ ${formatCount(rows)} more ${kind === 'prompt' ? 'prompt rows' : 'rows, one per token'}` }),
      ]),
      order,
    );
  const prompt = rowsShown(promptIds.length, PROMPT_ROWS, 1);
  for (const i of prompt.shown) {
    body.append(row(i, 'prompt', promptToken(i)));
    if (prompt.gapAfter === i) body.append(gap(promptIds.length - prompt.shown.length, 'prompt'));
  }
  const generated = rowsShown(steps.length, GENERATED_ROWS, 2);
  for (const i of generated.shown) {
    order += 1;
    body.append(row(promptIds.length + i, 'generated', { text: steps[i].text, id: steps[i].id, bytes: steps[i].bytes }));
    if (generated.gapAfter === i) {
      order += 1;
      body.append(gap(steps.length - generated.shown.length, 'generated'));
    }
  }
  table.append(body);
  // → plays the rows filling (Reveal never hides this "custom" fragment: the full cache shows until then).
  return replayScope(table, 0);
}

/** The cache's size against the sequence length up to the limit; `withChart` false: its caption only (a follow-up turn, short of room). */
function growthChart(numbers: KvNumbers, withChart = true): HTMLElement {
  const { perToken, promptLength, sequenceLength, contextLength } = numbers;
  const shown = Math.min(sequenceLength, contextLength);
  const kib = (tokens: number) => (perToken * tokens) / 1024; // plotted in KiB so the axis reads in round numbers
  // Linear growth: the line from 0 to the current length is the whole story.
  const filled: [number, number][] = [[0, 0], [shown, kib(shown)]];
  const chart = lineChart({
    width: CHART_WIDTH,
    height: GROWTH_HEIGHT,
    xDomain: [0, contextLength],
    yDomain: [0, kib(contextLength)],
    series: [
      { className: 'kv-growth-limit', points: [[0, 0], [contextLength, kib(contextLength)]] },
      { className: 'kv-growth', points: filled, area: true },
    ],
    markers: [
      { x: promptLength, label: 'prompt ends', className: 'kv-marker-prompt' },
      { x: contextLength, label: `limit ${formatCount(contextLength)}`, className: 'kv-marker-limit' },
    ],
    xLabel: 'tokens in the sequence',
    yLabel: 'cache size (KiB)',
    yTickFormat: formatCount,
    ariaLabel: 'KV cache size against sequence length',
  });
  return html('figure', { className: 'kv-figure' }, [
    ...(withChart ? [chart] : []),
    html('figcaption', {
      className: 'live-caption',
      text: `${plural(sequenceLength, 'token')} (${formatCount(promptLength)} prompt + ${formatCount(sequenceLength - promptLength)} generated): ${formatBytes(perToken * sequenceLength)}. Limit: ${formatBytes(perToken * contextLength)}.`,
    }),
  ]);
}

function timeSeries(run: GenerationRun, className: string) {
  return {
    className,
    points: run.steps.map((step, i) => [i + 1, step.ms] as [number, number]),
    attrs: { 'data-ms': run.steps.map((step) => String(step.ms)).join(',') },
  };
}

/** The run without the cache stopped at its cap while the cached one went on. */
function cappedRun(generation: Generation): boolean {
  const uncached = generation.uncached;
  return uncached !== null && uncached.done && uncached.steps.length >= generation.uncachedLimit && generation.cached.steps.length > uncached.steps.length;
}

function comparisonSentence(comparison: RunComparison | null, uncached: GenerationRun | null, capped = false): string {
  if (!comparison || !uncached) return 'The run without the cache starts when this one ends.';
  if (capped && comparison.kind === 'same') return `Same first ${plural(comparison.compared, 'token')} from both runs: the cache changes the speed, not the answer.`;
  if (comparison.kind === 'different') {
    return `They differ at step ${comparison.step + 1}: ${tokenDisplayText({ text: comparison.cachedText })} (id ${comparison.cachedId}) with the cache, ${tokenDisplayText({ text: comparison.uncachedText })} (id ${comparison.uncachedId}) without.`;
  }
  if (comparison.compared === 0) return 'No token to compare yet.';
  const sameTokens = `Same ${plural(comparison.compared, 'token')} from both runs`;
  return uncached.done && comparison.sameLength ? `${sameTokens}: the cache changes the speed, not the answer.` : `${sameTokens} so far.`;
}

/** What the cached run's first step was, when not a plain step: the prompt's own pass, or a step that also computed the logit lens. */
function firstStepNote(run: GenerationRun): string {
  const first = run.steps[0];
  if (first?.fromPromptPass) return ' Step 1 is the prompt’s own pass.';
  return first?.withLogitLens ? ' Step 1 with the cache also computed the logit lens.' : '';
}

function timingFigure(root: HTMLElement, generation: Generation): HTMLElement {
  const cached = generation.cached;
  const uncached = generation.uncached;
  const cachedMean = meanStepMs(cached);
  const uncachedMean = uncached ? meanStepMs(uncached) : null;
  if (cachedMean !== null) root.dataset.cachedMeanMs = String(cachedMean);
  if (uncachedMean !== null) root.dataset.uncachedMeanMs = String(uncachedMean);
  const speedup = cachedMean !== null && uncachedMean !== null && cachedMean > 0 ? uncachedMean / cachedMean : null;
  if (speedup !== null) root.dataset.speedup = String(speedup);
  const comparison = uncached ? compareRuns(cached, uncached) : null;
  if (comparison) {
    root.dataset.sameTokens = String(comparison.kind === 'same');
    if (comparison.kind === 'same') root.dataset.compared = String(comparison.compared);
    else root.dataset.firstDifference = String(comparison.step);
  }

  const allMs = [...cached.steps, ...(uncached?.steps ?? [])].map((step) => step.ms).filter(Number.isFinite);
  const series = [timeSeries(cached, 'kv-time-cached')];
  if (uncached) series.push(timeSeries(uncached, 'kv-time-uncached'));
  const chart = lineChart({
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    xDomain: [1, Math.max(2, cached.steps.length, uncached?.steps.length ?? 0)],
    yDomain: [0, Math.max(1e-3, ...allMs)],
    series,
    xLabel: 'generation step',
    yLabel: 'ms per token',
    yTickFormat: (ms) => String(ms),
    ariaLabel: 'time per generated token with and without the KV cache',
    dotsUpTo: 12,
  });

  const streaming = !cached.done || !uncached || !uncached.done;
  const legend = html('div', { className: 'kv-time-legend' }, [
    html('span', { className: 'kv-legend-cached', text: `with cache: ${cachedMean === null ? '…' : formatMs(cachedMean)}` }),
    html('span', { className: 'kv-legend-uncached', text: `without: ${uncachedMean === null ? 'not run yet' : formatMs(uncachedMean)}` }),
    html('span', { className: 'kv-speedup', text: speedup === null ? '' : `without ÷ with: ${formatRatio(speedup)}` }),
  ]);
  if (streaming) legend.append(generatingMark());
  // No Reveal fragment here: the slide re-renders on every streamed step, and the timings must not vanish.
  return html('figure', { className: 'kv-figure kv-timing' }, [
    chart,
    legend,
    html('figcaption', { className: 'live-caption kv-same-tokens', text: `Mean per token, measured live.${firstStepNote(cached)} ${comparisonSentence(comparison, uncached, cappedRun(generation))}` }),
    html('p', {
      className: 'live-caption kv-uncached-cap',
      attrs: { 'data-uncached-limit': generation.uncachedLimit },
      text: `Without the cache each step recomputes every position: that run stops after ${plural(generation.uncachedLimit, 'step')}.`,
    }),
  ]);
}

/** A follow-up turn: the tokens its input shares with the previous turn's cache, drawn as one bar, and the prefill time it saved. */
function prefixReusePanel(reuse: PrefixReuse): HTMLElement {
  const fresh = reuse.inputTokens - reuse.cachedTokens;
  const panel = html('div', {
    className: 'kv-prefix-reuse',
    attrs: {
      'data-cached-tokens': reuse.cachedTokens,
      'data-input-tokens': reuse.inputTokens,
      'data-reused-prefill-ms': reuse.reusedPrefillMs,
      'data-full-prefill-ms': reuse.fullPrefillMs,
      'data-same-first-token': reuse.sameFirstToken,
    },
  });
  const bar = html('div', { className: 'kv-prefix-bar', attrs: { role: 'img', 'aria-label': `${reuse.cachedTokens} cached tokens, then ${fresh} new` } });
  const cachedPart = html('div', { className: 'kv-prefix-cached', text: reuse.cachedTokens > 0 ? `${formatCount(reuse.cachedTokens)} from the cache` : '' });
  cachedPart.style.flexGrow = String(reuse.cachedTokens);
  const freshPart = html('div', { className: 'kv-prefix-new', text: `${formatCount(fresh)} new` });
  freshPart.style.flexGrow = String(Math.max(fresh, 1));
  bar.append(cachedPart, freshPart);
  const sentence =
    reuse.cachedTokens > 0
      ? `This turn: ${formatCount(reuse.cachedTokens)} of ${plural(reuse.inputTokens, 'input token')} were already in the cache from the last turn; reusing them, prefill takes ${formatMs(reuse.reusedPrefillMs)} instead of ${formatMs(reuse.fullPrefillMs)}.`
      : `This turn: none of its ${plural(reuse.inputTokens, 'input token')} matched the last turn’s cache from the start, so all were computed (${formatMs(reuse.fullPrefillMs)}).`;
  panel.append(html('p', { className: 'kv-prefix-sentence', text: sentence }), bar);
  if (!reuse.sameFirstToken) panel.append(html('p', { className: 'live-notice', text: 'The first token differs between the reused and the recomputed prefill: numeric noise at a near tie.' }));
  return panel;
}

/** Redrawn on every streamed step of both runs: the replay's fragment state (Reveal's classes) is kept across the redraw. */
function render(root: HTMLElement, context: SlideContext): void {
  rerenderKeepingFragments(root, () => draw(root, context));
}

function draw(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, kvCache.title, context);
  if (!trace) return;
  const generation = currentGeneration(trace, context.generation);
  const numbers = kvNumbers(trace, generation);
  const body = html('div', {
    className: 'kv-cache-body',
    attrs: {
      'data-bytes-per-token': numbers.perToken,
      'data-sequence-length': numbers.sequenceLength,
      'data-cache-bytes': numbers.perToken * numbers.sequenceLength,
      'data-context-length': numbers.contextLength,
      'data-context-bytes': numbers.perToken * numbers.contextLength,
    },
  });
  root.append(body);
  body.append(
    html('p', {
      className: 'live-lead',
      text: 'Every layer keeps its key and value for each earlier token: a new token computes only its own.',
    }),
  );
  // A follow-up turn shows what the last turn's cache saved, under the growth chart, in place of the other model's numbers.
  const reuse = generation?.prefixReuse ?? null;
  const rows = cacheRows(trace, generation, numbers);
  // Left: the cache and its growth; right: what one row costs, and the time it saves.
  const right = html('div', { className: 'kv-right' }, [perTokenFormula(trace, numbers.perToken)]);
  const columns = html('div', { className: 'kv-columns' }, [html('div', { className: 'kv-left' }, reuse ? [rows, growthChart(numbers, false), prefixReusePanel(reuse)] : [rows, growthChart(numbers)]), right]);
  body.append(columns);
  if (generation && (generation.cached.steps.length > 0 || generation.cached.done)) right.append(timingFigure(body, generation));
  else right.append(notStartedMessage());

  if (reuse) return;
  const other = cacheBytesPerToken(GPT2_SMALL_SHAPE, FP16_BYTES);
  body.append(
    html('p', {
      className: 'live-caption kv-other-model',
      text: `Another model, for scale: GPT-2 small (${GPT2_SMALL_SHAPE.nLayer} layers × ${GPT2_SMALL_SHAPE.nHead} heads × ${GPT2_SMALL_SHAPE.headDim} × 2 × ${FP16_BYTES} bytes, float16): ${formatBytes(other)} per token.`,
    }),
  );
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const generation = currentGeneration(trace, context.generation);
  const numbers = kvNumbers(trace, generation);
  const { nLayer, nHead: kvHeads, headDim } = modelCacheShape(trace.model);
  const shared = kvHeads === trace.model.nHead ? 'heads' : `key/value heads (shared by ${trace.model.nHead} query heads)`;
  const lines = [
    `Per token: ${nLayer} layers × ${kvHeads} ${shared} × ${headDim} × 2 (key and value) × 4 bytes = ${formatCount(numbers.perToken)} bytes.`,
    `For ${plural(numbers.sequenceLength, 'token')} the cache holds ${formatCount(numbers.perToken * numbers.sequenceLength)} bytes; at the ${formatCount(numbers.contextLength)}-token limit ${formatCount(numbers.perToken * numbers.contextLength)} bytes.`,
  ];
  if (!generation) {
    lines.push('Generation has not started yet: the timings appear once it runs.');
    return lines.join('\n');
  }
  const cachedMean = meanStepMs(generation.cached);
  const uncachedMean = generation.uncached ? meanStepMs(generation.uncached) : null;
  if (cachedMean !== null) lines.push(`With the cache: ${formatMs(cachedMean)} per token over ${plural(generation.cached.steps.length, 'step')}.`);
  const first = generation.cached.steps[0];
  if (first?.fromPromptPass) {
    lines.push(`Step 1 with the cache is the prompt's pass the Trace came from (${formatMs(first.ms)}, trace outputs included): the answer goes on from its keys and values and never reads the prompt twice.`);
  }
  if (first?.withLogitLens) {
    const uncachedFirst = generation.uncached?.steps[0];
    lines.push(`Step 1 with the cache also computed the logit lens for its slide: ${formatMs(first.ms)}${uncachedFirst ? ` (step 1 without the cache, no lens: ${formatMs(uncachedFirst.ms)})` : ''}.`);
  }
  if (uncachedMean !== null && cachedMean !== null && cachedMean > 0) {
    lines.push(`Without: ${formatMs(uncachedMean)} per token, ${formatRatio(uncachedMean / cachedMean)} the cached time.`);
  }
  const comparison = generation.uncached ? compareRuns(generation.cached, generation.uncached) : null;
  if (comparison?.kind === 'different') {
    lines.push(`The runs differ at step ${comparison.step + 1}: ${quoteToken(comparison.cachedText)} vs ${quoteToken(comparison.uncachedText)}.`);
  } else {
    lines.push(comparisonSentence(comparison, generation.uncached, cappedRun(generation)));
  }
  lines.push(`The run without the cache is capped at ${plural(generation.uncachedLimit, 'step')} (fewer on a slower model: each is a whole pass).`);
  const reuse = generation.prefixReuse;
  if (reuse) {
    lines.push(
      reuse.cachedTokens > 0
        ? `Follow-up turn: ${reuse.cachedTokens} of ${reuse.inputTokens} input tokens were in the last turn's cache; a prefill reusing them took ${formatMs(reuse.reusedPrefillMs)}, one recomputing them ${formatMs(reuse.fullPrefillMs)} (${formatRatio(reuse.fullPrefillMs / Math.max(reuse.reusedPrefillMs, 1e-6))} faster), both measured live. This is prompt caching. (The deck's own answer went on from the prompt's pass, which read every token for the slides.)`
        : `Follow-up turn: nothing matched the last turn's cache, all ${reuse.inputTokens} input tokens were computed.`,
    );
  }
  lines.push('Press → to replay the cache filling: the prompt’s rows in one pass, then one row per generated token.');
  lines.push('Point at the area chart: it rises by the same amount for every token, up to the context limit.');
  return lines.join('\n');
}

const kvCache = {
  id: 'kv-cache',
  title: 'The KV cache',
  usesGeneration: true,
  render,
  notes,
} satisfies SlideModule;

export default kvCache;
