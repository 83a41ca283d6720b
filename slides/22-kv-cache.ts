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
// No view state.
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
import { startLiveSlide } from '../src/viz/slide-frame';
import { tokenDisplayText } from '../src/viz/token-chip';
import type { SlideContext, SlideModule } from './slide';
import './22-kv-cache.css';

const CHART_WIDTH = 600;
const CHART_HEIGHT = 300;

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

function growthChart(numbers: KvNumbers): HTMLElement {
  const { perToken, promptLength, sequenceLength, contextLength } = numbers;
  const shown = Math.min(sequenceLength, contextLength);
  const kib = (tokens: number) => (perToken * tokens) / 1024; // plotted in KiB so the axis reads in round numbers
  // Linear growth: the line from 0 to the current length is the whole story.
  const filled: [number, number][] = [[0, 0], [shown, kib(shown)]];
  const chart = lineChart({
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
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
    chart,
    html('figcaption', {
      className: 'live-caption',
      text: `${plural(sequenceLength, 'token')} (${formatCount(promptLength)} prompt + ${formatCount(sequenceLength - promptLength)} generated): ${formatBytes(perToken * sequenceLength)}. At the limit: ${formatBytes(perToken * contextLength)}.`,
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
    html('figcaption', { className: 'live-caption kv-same-tokens', text: `Mean per token, measured live. ${comparisonSentence(comparison, uncached, cappedRun(generation))}` }),
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
      ? `This turn: ${formatCount(reuse.cachedTokens)} of ${plural(reuse.inputTokens, 'input token')} were already in the cache from the last turn; prefill ${formatMs(reuse.reusedPrefillMs)} instead of ${formatMs(reuse.fullPrefillMs)}.`
      : `This turn: none of its ${plural(reuse.inputTokens, 'input token')} matched the last turn’s cache from the start, so all were computed (${formatMs(reuse.fullPrefillMs)}).`;
  panel.append(html('p', { className: 'kv-prefix-sentence', text: sentence }), bar);
  if (!reuse.sameFirstToken) panel.append(html('p', { className: 'live-notice', text: 'The first token differs between the reused and the recomputed prefill: numeric noise at a near tie.' }));
  return panel;
}

function render(root: HTMLElement, context: SlideContext): void {
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
      text: 'The cache keeps every layer’s key and value for each earlier position, so a new token computes only its own q, k and v.',
    }),
    perTokenFormula(trace, numbers.perToken),
  );
  // A follow-up turn shows what the last turn's cache saved, under the growth chart, in place of the other model's numbers.
  const reuse = generation?.prefixReuse ?? null;
  const columns = html('div', { className: 'kv-columns' }, [reuse ? html('div', { className: 'kv-left' }, [growthChart(numbers), prefixReusePanel(reuse)]) : growthChart(numbers)]);
  body.append(columns);
  if (generation && (generation.cached.steps.length > 0 || generation.cached.done)) columns.append(timingFigure(body, generation));
  else columns.append(notStartedMessage());

  if (reuse) return;
  const other = cacheBytesPerToken(GPT2_SMALL_SHAPE, FP16_BYTES);
  body.append(
    html('p', {
      className: 'live-caption kv-other-model',
      text: `Another model, for scale: GPT-2 small (public config: ${GPT2_SMALL_SHAPE.nLayer} layers × ${GPT2_SMALL_SHAPE.nHead} heads × ${GPT2_SMALL_SHAPE.headDim} × 2 × ${FP16_BYTES} bytes in float16) needs ${formatBytes(other)} per token, ${formatBytes(other * GPT2_SMALL_SHAPE.contextLength)} at its ${formatCount(GPT2_SMALL_SHAPE.contextLength)}-token limit.`,
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
  if (uncachedMean !== null && cachedMean !== null && cachedMean > 0) {
    lines.push(`Without: ${formatMs(uncachedMean)} per token, ${formatRatio(uncachedMean / cachedMean)} the cached time.`);
  }
  const comparison = generation.uncached ? compareRuns(generation.cached, generation.uncached) : null;
  if (comparison?.kind === 'different') {
    lines.push(`The runs differ at step ${comparison.step + 1}: ${quoteToken(comparison.cachedText)} vs ${quoteToken(comparison.uncachedText)}.`);
  } else {
    lines.push(comparisonSentence(comparison, generation.uncached, cappedRun(generation)));
  }
  lines.push(`The run without the cache is capped at ${plural(generation.uncachedLimit, 'step')}.`);
  const reuse = generation.prefixReuse;
  if (reuse) {
    lines.push(
      reuse.cachedTokens > 0
        ? `Follow-up turn: ${reuse.cachedTokens} of ${reuse.inputTokens} input tokens came from the last turn's cache; prefill took ${formatMs(reuse.reusedPrefillMs)} instead of ${formatMs(reuse.fullPrefillMs)} (${formatRatio(reuse.fullPrefillMs / Math.max(reuse.reusedPrefillMs, 1e-6))} faster). This is prompt caching.`
        : `Follow-up turn: nothing matched the last turn's cache, all ${reuse.inputTokens} input tokens were computed.`,
    );
  }
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
