// The bench's report: one object (printed as JSON with --json) and the table printed without it.
import { cpus } from 'node:os';
import { elapsedS, GENERATION_PROMPT_TOKENS, NEW_TOKENS, SUMMARY_PROMPT_TOKENS, type BenchBackend, type BenchModel } from './bench-settings';
import type { PromptEditResult } from './drive-deck';
import type { PageResults } from './drive-bench-page';
import { generationSummary, median, ratio, round, summary } from './statistics';
import type { MemoryResults } from './measure-memory';
import type { BackendComparison } from './compare-backends';

export function report(options: {
  model: BenchModel;
  generationReps: number;
  chromium: string;
  conversionMs: number;
  page: PageResults;
  deck: PromptEditResult[];
  deckErrors: string[];
  notes: string[];
  reps: number;
  /** The engine's memory, traced ÷ plain (src/bench/measure-memory.ts); absent: not measured. */
  memory?: MemoryResults | null;
  backend?: BenchBackend;
  /** On WebGPU: the slides' numbers against WASM's (src/bench/compare-backends.ts). */
  backends?: BackendComparison | null;
}) {
  const { page, deck } = options;
  const forward = page.forward.map((f) => {
    const plain = summary(f.plainMs);
    const traced = summary(f.tracedMs);
    const tracedWithLens = summary(f.tracedWithLensMs);
    const trace = summary(f.runTraceMs);
    const edit = deck.find((d) => d.tokens === f.tokens) ?? null; // a real-shaped model's deck is timed at fewer lengths
    return {
      tokens: f.tokens,
      baselinePlainForward: plain,
      tracedForward: traced,
      /** The traced pass with the logit lens, which the deck now leaves to the answer's first step (the figure before). */
      tracedForwardWithLens: tracedWithLens,
      runTrace: trace,
      runTraceForwardMedianMs: round(median(f.runTraceForwardMs)),
      runTraceCollectMedianMs: round(median(f.runTraceCollectMs)),
      deckPromptToSlides: edit?.summary ?? null,
      deckPromptToVisibleSlide: edit?.visibleSlide ?? null,
      /** Enter until the slide on screen's DOM is built and laid out (before the frame that paints it). */
      deckPromptToVisibleSlideBuilt: edit?.visibleSlideBuilt ?? null,
      /** Enter until the Trace reaches the page's drawing (the worker's run and the message): the rest of the visible figure is drawing. */
      deckPromptToTraceReceived: edit?.traceReceived ?? null,
      /** runTrace's own time in the deck's worker during those edits (the Trace's timings.totalMs). */
      deckRunTraceInWorker: edit?.runTraceInWorker ?? null,
      /** Enter until the answer's first token is in the page. */
      deckPromptToFirstAnswerToken: edit?.firstAnswerToken ?? null,
      /** The same edit made while the previous answer streams: Enter until the slide on screen is painted (how many such edits). */
      deckPromptToVisibleSlideDuringAnswer: edit?.duringAnswer?.visibleSlide ?? null,
      deckPromptToTraceReceivedDuringAnswer: edit?.duringAnswer?.traceReceived ?? null,
      deckEditsDuringAnswer: edit?.duringAnswer?.edits ?? 0,
      ratiosToBaseline: {
        tracedForward: ratio(traced.medianMs, plain.medianMs),
        tracedForwardWithLens: ratio(tracedWithLens.medianMs, plain.medianMs),
        runTrace: ratio(trace.medianMs, plain.medianMs),
        deckPromptToSlides: edit ? ratio(edit.summary.medianMs, plain.medianMs) : null,
        deckPromptToVisibleSlide: edit ? ratio(edit.visibleSlide.medianMs, plain.medianMs) : null,
        deckPromptToTraceReceived: edit ? ratio(edit.traceReceived.medianMs, plain.medianMs) : null,
        deckPromptToVisibleSlideDuringAnswer: edit?.duringAnswer ? ratio(edit.duringAnswer.visibleSlide.medianMs, plain.medianMs) : null,
      },
      maxLogitDifference: f.maxLogitDifference,
      prompts: edit?.prompts ?? null,
    };
  });
  const deckGen = generationSummary(page.deckGeneration);
  const lensFirstGen = generationSummary(page.deckLensInFirstStepGeneration);
  const plainGen = generationSummary(page.plainGeneration);
  const everyOutputGen = page.deckEveryOutputGeneration ? generationSummary(page.deckEveryOutputGeneration) : null;
  const tracedGen = 'error' in page.tracedGeneration ? page.tracedGeneration : generationSummary(page.tracedGeneration);
  return {
    bench: 'live-llm-deck: tracing cost vs a plain transformers.js forward pass',
    environment: {
      chromium: options.chromium,
      backend: options.backend ?? 'wasm',
      cpuCores: cpus().length,
      crossOriginIsolated: page.load.crossOriginIsolated,
      ortNumThreads: page.load.numThreads ?? null,
      node: process.version,
    },
    models: {
      traced: { name: options.model.traced, graphOutputs: page.load.traced.outputs, loadMs: round(page.load.traced.loadMs) },
      baseline: { name: options.model.plain, graphOutputs: page.load.plain.outputs, loadMs: round(page.load.plain.loadMs), convertedAtBenchTimeMs: round(options.conversionMs) },
    },
    ratioConvention:
      'times: figure / baseline (2.0 = takes twice as long as the plain forward pass); throughput: baseline tokens/s / figure tokens/s (2.0 = half the baseline speed). Baselines are measured in this same run.',
    method: {
      promptEdit: `prompt bar (E, the prompt as one input event, Enter in the same task, so the typing debounce never runs first) in the built deck on ?backend=${options.backend ?? 'wasm'}${options.model.deckSearch}, on the attention slide; time from the deck's deck:prompt-submitted mark (set by its Enter handler, which runs the prompt at once) to the performance marks deck:trace-received (the Trace in the page), deck:visible-slide-rendered (the slide on screen's DOM built and laid out), deck:visible-slide-painted (the next frame painted: the visible-slide figure), deck:slides-rendered (all slides' DOM and notes built for the new Trace) and deck:first-answer-token (the answer's first token in the page); a slide already drawn for the prompt at Enter would count 0 ms (drawnBeforeEnter); two different prompts of the same length alternated; one uncounted warm-up round over all prompts, then per length 2 warm-ups, then ${2 * options.reps} repetitions (${options.reps} per prompt), each started after the previous prompt's streamed generation had finished (the status badge's data-answer); then ${2 * options.reps} more, each sent once the previous one's answer had begun streaming, of which those that found it still streaming at Enter are the DuringAnswer figures`,
      forwardPasses: `bench page (bench.html), same chromium, WASM backend and runtime files, models run on the page's thread; plain forward, traced forward and runTrace interleaved; one uncounted warm-up round over all lengths, then per length 2 warm-ups, then ${2 * options.reps} repetitions, on the first prompt of each length`,
      generation: `${NEW_TOKENS} new tokens after a ${GENERATION_PROMPT_TOKENS}-token prompt, greedy, KV cache, prefill included; 1 warm-up then ${options.generationReps} runs, the five loops interleaved in a new (seeded) order each repetition (a loop pays for what the one before it left); deck = src/engine/generate.ts on the traced model as the deck's answer runs it (the logit lens after it, timed apart: lensAfterAnswer; with it in its first step: deckLoopLensInFirstStep), baseline = transformers.js model.generate({ do_sample: false }) on the plain model`,
    },
    forwardAndPromptEdit: forward,
    generation: {
      promptTokens: GENERATION_PROMPT_TOKENS,
      maxNewTokens: NEW_TOKENS,
      deckLoopTracedModel: deckGen,
      /** The deck's loop while the logit lens's slide is on screen: its first step computes the lens. */
      deckLoopLensInFirstStep: lensFirstGen,
      /** Otherwise the lens comes after the answer: one step against its cache. */
      lensAfterAnswer: summary(page.lensAfterAnswerMs),
      /** The deck's loop before the lean steps: every output, trace ones included, asked of the session at every step. */
      deckLoopEveryOutput: everyOutputGen,
      baselineGeneratePlainModel: plainGen,
      libraryGenerateTracedModel: tracedGen,
      ratioToBaseline: {
        deckLoopTracedModel: round(plainGen.tokensPerSecond / deckGen.tokensPerSecond, 2),
        deckLoopLensInFirstStep: round(plainGen.tokensPerSecond / lensFirstGen.tokensPerSecond, 2),
        deckLoopEveryOutput: everyOutputGen ? round(plainGen.tokensPerSecond / everyOutputGen.tokensPerSecond, 2) : null,
        libraryGenerateTracedModel: 'error' in tracedGen ? null : round(plainGen.tokensPerSecond / tracedGen.tokensPerSecond, 2),
      },
      sameTokens: deckGen.ids.join(',') === plainGen.ids.join(','),
    },
    webgpuAgainstWasm: options.backends ?? null,
    memory: options.memory
      ? {
          method: 'each model alone in a fresh bench page, loaded and run by the engine code (traced: runTrace x2, then the deck\'s generate; plain: forward x2, then transformers.js generate); samples after load and each run of Runtime.getHeapUsage (usedSize + backingStorageSize, the ArrayBuffers\' backing stores, WASM memory included when they hold it) and of onnxruntime\'s WebAssembly.Memory; peak = largest sample',
          tracedPeakMiB: round(options.memory.traced.peakBytes / 2 ** 20, 1),
          plainPeakMiB: round(options.memory.plain.peakBytes / 2 ** 20, 1),
          ratio: options.memory.ratio,
          traced: options.memory.traced,
          plain: options.memory.plain,
        }
      : null,
    errors: [...page.errors.map((e) => `bench page: ${e}`), ...options.deckErrors.map((e) => `deck: ${e}`)],
    notes: options.notes,
    durationS: round(elapsedS(), 1),
  };
}

export type Report = ReturnType<typeof report>;

/** Issue 13's figures for one model: ratios to the plain model measured in the same run (goals in the comments). */
export function summaryOf(r: Report) {
  const at = r.forwardAndPromptEdit.find((f) => f.tokens === SUMMARY_PROMPT_TOKENS);
  const plainGen = r.generation.baselineGeneratePlainModel;
  const deckGen = r.generation.deckLoopTracedModel;
  return {
    /** Traced forward ÷ plain forward, worst over the prompt lengths (goal ≤ 1.2). */
    tracedForwardRatio: Math.max(...r.forwardAndPromptEdit.map((f) => f.ratiosToBaseline.tracedForward)),
    /** Prompt edit (Enter) until the slide on screen is drawn (painted) ÷ the plain forward pass, 32 tokens, attention slide (goal ≤ 1.5). */
    visibleSlideRatio: at?.ratiosToBaseline.deckPromptToVisibleSlide ?? null,
    /** The same, for an edit made while the previous answer streams (no goal: a presenter typing on); null when none caught it. */
    visibleSlideDuringAnswerRatio: at?.ratiosToBaseline.deckPromptToVisibleSlideDuringAnswer ?? null,
    /** Prompt edit (Enter) until every slide is drawn, 32 tokens, ms. */
    allSlidesMs: at?.deckPromptToSlides?.medianMs ?? null,
    /** Plain generate() tokens/s ÷ the deck's tokens/s (goal ≤ 1.05). */
    generationRatio: round(plainGen.tokensPerSecond / deckGen.tokensPerSecond, 2),
    /** The engine's peak JS heap + backing stores + WASM memory, traced ÷ plain (goal ≤ 1.3); null when not measured. */
    memoryRatio: r.memory?.ratio ?? null,
    /** On WebGPU: every slide value within 1e-3 of WASM's and the ids equal; null on WASM. */
    slideValuesEqualWasm: r.webgpuAgainstWasm ? r.webgpuAgainstWasm.equal : null,
  };
}

export function printTable(r: Report): void {
  const ms = (s: { medianMs: number; minMs: number }) => `${s.medianMs.toFixed(1)} (min ${s.minMs.toFixed(1)})`;
  const rows: string[][] = [['tokens', 'baseline forward', 'traced forward', 'runTrace', 'deck Enter→Trace in page / slide on screen painted / all slides', 'ratios (÷ baseline)']];
  for (const f of r.forwardAndPromptEdit) {
    const q = f.ratiosToBaseline;
    const edit =
      f.deckPromptToSlides && f.deckPromptToVisibleSlide && f.deckPromptToTraceReceived
        ? `${ms(f.deckPromptToTraceReceived)} / ${ms(f.deckPromptToVisibleSlide)} / ${ms(f.deckPromptToSlides)}`
        : 'not timed';
    rows.push([String(f.tokens), ms(f.baselinePlainForward), ms(f.tracedForward), ms(f.runTrace), edit, `${q.tracedForward}× / ${q.runTrace}× / ${q.deckPromptToVisibleSlide ?? '-'}× / ${q.deckPromptToSlides ?? '-'}×`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`${r.bench}: ${r.models.traced.name}\nchromium ${r.environment.chromium}, WASM, ${r.environment.ortNumThreads ?? '?'} ort thread(s), ${r.environment.cpuCores} cores\n`);
  console.log('Times in ms, median (min). Ratios: figure / baseline forward pass (traced / runTrace / deck on screen / deck all).');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log('\ntraced forward with the logit lens (the deck leaves it to the answer\'s first step): ' + r.forwardAndPromptEdit.map((f) => `${f.tokens} tok: ${ms(f.tracedForwardWithLens)} = ${f.ratiosToBaseline.tracedForwardWithLens}×`).join('; '));
  console.log('runTrace split (median ms): ' + r.forwardAndPromptEdit.map((f) => `${f.tokens} tok: forward ${f.runTraceForwardMedianMs} + collect ${f.runTraceCollectMedianMs}`).join('; '));
  const g = r.generation;
  const gen = (name: string, s: { tokensPerSecond: number; medianMs: number; newTokens: number } | { error: string }, ratioText: string) =>
    'error' in s ? `  ${name.padEnd(40)} failed: ${s.error}` : `  ${name.padEnd(40)} ${s.tokensPerSecond.toFixed(1).padStart(7)} tok/s  (${s.newTokens} tokens in ${s.medianMs.toFixed(0)} ms)  ${ratioText}`;
  console.log(`\nGeneration, ${g.maxNewTokens} new tokens after ${g.promptTokens} prompt tokens (greedy, KV cache). Ratio: baseline tok/s ÷ figure tok/s.`);
  console.log(gen('baseline: model.generate, plain model', g.baselineGeneratePlainModel, ''));
  console.log(gen("deck's generate() loop, traced model", g.deckLoopTracedModel, `${g.ratioToBaseline.deckLoopTracedModel}×`));
  console.log(`  ${'then the logit lens, one cached step'.padEnd(40)} ${ms(g.lensAfterAnswer)} ms`);
  console.log(gen("deck's loop, the lens in its first step", g.deckLoopLensInFirstStep, `${g.ratioToBaseline.deckLoopLensInFirstStep}×`));
  if (g.deckLoopEveryOutput) console.log(gen("deck's loop asking for every output (before)", g.deckLoopEveryOutput, `${g.ratioToBaseline.deckLoopEveryOutput}×`));
  console.log(gen('model.generate, traced model', g.libraryGenerateTracedModel, g.ratioToBaseline.libraryGenerateTracedModel === null ? '' : `${g.ratioToBaseline.libraryGenerateTracedModel}×`));
  console.log(`  same tokens from the deck's loop and the baseline: ${g.sameTokens ? 'yes' : 'no'}`);
  if (r.memory) console.log(`\nMemory (peak JS heap + backing stores + WASM): traced ${r.memory.tracedPeakMiB} MiB, plain ${r.memory.plainPeakMiB} MiB, ratio ${r.memory.ratio}×`);
  if (r.webgpuAgainstWasm) {
    const c = r.webgpuAgainstWasm;
    console.log(`\nWebGPU against WASM, the slides' numbers for one prompt (tolerance ${c.tolerance}): ${c.equal ? 'equal' : 'NOT equal'}; ids differing: ${c.idsDiffering.join(', ') || 'none'}`);
    for (const p of c.parts) console.log(`  ${p.part.padEnd(36)} ${String(p.count).padStart(6)} values, largest difference ${p.maxDifference === null ? 'n/a (lengths differ)' : p.maxDifference.toExponential(2)}`);
  }
  for (const note of r.notes) console.log(`note: ${note}`);
  for (const error of r.errors) console.log(`error seen: ${error}`);
  console.log(`\n(${r.durationS} s)`);
}
