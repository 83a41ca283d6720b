// Command line: `npm run bench [-- --json] [-- --reps N]`. Measures, on WASM in headless Debian
// chromium, what the deck's live tracing costs next to a plain transformers.js model with the same
// weights, built and run in the same session:
//   1. prompt edit -> every slide rendered, in the real built deck (8, 32, 128 and 250-token prompts),
//      timed between two performance marks the deck sets (src/deck/main.ts, src/deck/render-slides.ts);
//   2. on the bench page (bench.html): a raw forward pass of the plain model (the baseline), of the
//      traced model, and the deck's full runTrace, for the same tokens;
//   3. generation, 32 new tokens after an 8-token prompt: the deck's generate() loop on the traced
//      model vs transformers.js's model.generate() on the plain model.
// The baseline model is converted at bench time from the deck model's own initializers with
// traceOutputs: false. Exit 0 whatever the numbers; 1 only when the bench could not run.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import type { Browser, Page } from 'playwright-core';
import type { ForwardTimes, GenerationTimes, LoadResult } from '../bench/bench-page';
import { convertGpt2, writeSafetensors } from '../convert/index';
import { readInitializers } from '../convert/onnx-reader';
import { configureOffline } from '../engine/load-model';
import { loadSpeeches, splitSpeeches } from '../train/corpus';

const MODEL = 'sotu-gpt';
const PLAIN = 'sotu-gpt-plain';
const PROMPT_LENGTHS = [8, 32, 128, 250]; // 250: near the 256-token window, where every slide is at its largest
const GENERATION_PROMPT_TOKENS = 8;
const NEW_TOKENS = 32;
/** Files of a model folder the plain copy needs besides its graph (those that exist are copied). */
const COMPANION_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt'];

const log = (message: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
const t0 = performance.now();

// ---------------------------------------------------------------------------------------------
// Statistics

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
interface Summary {
  medianMs: number;
  minMs: number;
  samplesMs: number[];
}
const summary = (xs: number[]): Summary => ({ medianMs: round(median(xs)), minMs: round(Math.min(...xs)), samplesMs: xs.map((x) => round(x)) });

// ---------------------------------------------------------------------------------------------
// The baseline model folder and the prompts

/** A temp models folder with the deck's model (copied) and the same weights without trace outputs. */
function buildModelsFolder(sourceModels: string): { dir: string; plainMs: number } {
  const source = join(sourceModels, MODEL);
  if (!existsSync(join(source, 'onnx', 'model.onnx'))) throw new Error(`no model at ${source}`);
  const dir = mkdtempSync(join(tmpdir(), 'deck-bench-models-'));
  cpSync(source, join(dir, MODEL), { recursive: true });
  const started = performance.now();
  const config = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
  // The GPT-2 parameters only: the graph's scalar constants (sqrt_head_dim, one, half...) are not weights.
  const weights = readInitializers(new Uint8Array(readFileSync(join(source, 'onnx', 'model.onnx'))), (name) => name.startsWith('transformer.') || name.startsWith('lm_head.'));
  const onnx = convertGpt2({ config, weights: writeSafetensors(weights), traceOutputs: false });
  mkdirSync(join(dir, PLAIN, 'onnx'), { recursive: true });
  writeFileSync(join(dir, PLAIN, 'onnx', 'model.onnx'), onnx);
  for (const name of COMPANION_FILES) if (existsSync(join(source, name))) cpSync(join(source, name), join(dir, PLAIN, name));
  return { dir, plainMs: performance.now() - started };
}

interface PromptPair {
  tokens: number;
  /** Two different prompts of exactly `tokens` tokens, and their ids. */
  texts: [string, string];
  ids: [number[], number[]];
}

const decode = (tokenizer: PreTrainedTokenizer, ids: number[]) => tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
const encode = (tokenizer: PreTrainedTokenizer, text: string) => tokenizer.encode(text, { add_special_tokens: false });

/**
 * Prompts of exactly n tokens: n consecutive ids of a long English text (a held-out State of the
 * Union address, whitespace made single spaces), decoded, trimmed and re-encoded to check the count.
 * The first prompt is the text's first n ids; the second begins at the first sentence after it, so
 * both read as a presenter's prompt would. A window that does not re-encode to n tokens is moved on.
 */
function promptsOfLength(tokenizer: PreTrainedTokenizer, text: string, n: number): PromptPair {
  const ids = encode(tokenizer, text).slice(0, 4000);
  const pieces = ids.map((id) => decode(tokenizer, [id]));
  const startsSentence = (i: number) => i === 0 || (/[.!?:]["”’]?$/.test(pieces[i - 1]) && /^ ?[A-Z]/.test(pieces[i]));
  const found: { text: string; ids: number[] }[] = [];
  for (let start = 0; found.length < 2 && start + n <= ids.length; start++) {
    if (!startsSentence(start)) continue;
    const candidate = decode(tokenizer, ids.slice(start, start + n)).trim();
    const again = encode(tokenizer, candidate);
    if (again.length !== n) continue;
    found.push({ text: candidate, ids: again });
    start += n - 1; // the second prompt follows the first: different text, same length
  }
  if (found.length < 2) throw new Error(`could not make two ${n}-token prompts from the text (${ids.length} tokens)`);
  return { tokens: n, texts: [found[0].text, found[1].text], ids: [found[0].ids, found[1].ids] };
}

function benchText(): string {
  const { validation } = splitSpeeches(loadSpeeches());
  // The most recent held-out address: modern English the model did not train on.
  return validation[validation.length - 1].text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// The deck: prompt edit -> every slide rendered

type Harness = typeof import('../../tests/browser/harness');

/** The prompt bar, as the presenter uses it: E, type, Enter (the immediate path). */
async function submitThroughPromptBar(page: Page, prompt: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('e');
  await page.locator('#prompt-bar-input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.fill('#prompt-bar-input', prompt);
  await page.press('#prompt-bar-input', 'Enter');
}

/** Milliseconds between the deck's 'deck:prompt-submitted' and 'deck:slides-rendered' marks for `prompt`. */
async function promptToSlidesMs(page: Page, prompt: string): Promise<number> {
  await page.evaluate(() => performance.clearMarks());
  await submitThroughPromptBar(page, prompt);
  await page.waitForFunction(
    (expected) => performance.getEntriesByName('deck:slides-rendered').some((mark) => (mark as PerformanceMark).detail?.prompt === expected),
    prompt,
    { timeout: 120_000 },
  );
  // No named helper inside: tsx would wrap it in __name(), which the page does not have.
  return page.evaluate((expected) => {
    const [submitted, rendered] = ['deck:prompt-submitted', 'deck:slides-rendered'].map((name) =>
      performance.getEntriesByName(name).find((mark) => (mark as PerformanceMark).detail?.prompt === expected),
    );
    if (!submitted || !rendered) throw new Error('the deck set no deck:prompt-submitted mark for this prompt');
    return rendered.startTime - submitted.startTime;
  }, prompt);
}

/**
 * After each Trace the worker streams a generation (with, then without, the KV cache). Each
 * measurement starts once it has finished, so no repetition pays for the previous one's tail.
 * Returns false when the kv-cache slide never said so (it is then given a fixed pause instead).
 */
async function waitForGenerationDone(page: Page, prompt: string, timeout: number): Promise<boolean> {
  try {
    await page.waitForFunction(
      (expected) => {
        const status = document.querySelector<HTMLElement>('#deck-status');
        if (status?.dataset.running !== 'false' || status.getAttribute('data-trace-prompt') !== expected) return false;
        const kv = document.querySelector('section#kv-cache');
        return !!kv?.querySelector('.kv-timing') && !kv.querySelector('.generation-streaming');
      },
      prompt,
      { timeout },
    );
    return true;
  } catch {
    return false;
  }
}

interface PromptEditResult {
  tokens: number;
  prompts: [string, string];
  warmUps: number;
  summary: Summary;
}

async function benchDeck(h: Harness, browser: Browser, deckUrl: string, pairs: PromptPair[], reps: number, notes: string[]): Promise<{ results: PromptEditResult[]; errors: string[] }> {
  const deck = await h.openDeck(browser, deckUrl, '?backend=wasm');
  try {
    await h.waitForEngineIdle(deck.page);
    const phase = await deck.page.getAttribute('#deck-status', 'data-phase');
    const backend = await deck.page.getAttribute('#deck-status', 'data-backend');
    if (phase !== 'ready') throw new Error(`the deck's model did not load (phase ${phase}): ${deck.errors.join(' | ')}`);
    if (backend !== 'wasm') throw new Error(`the deck runs on ${backend}, not wasm`);
    const results: PromptEditResult[] = [];
    let generationSignal = true;
    const settle = async (prompt: string) => {
      if (generationSignal && !(await waitForGenerationDone(deck.page, prompt, 60_000))) {
        generationSignal = false;
        notes.push('the kv-cache slide never showed its generation finished: a fixed 3 s pause was used between repetitions instead');
      }
      if (!generationSignal) await deck.page.waitForTimeout(3000);
    };
    // A warm-up round over every prompt first (JIT, first renders of each slide), not counted.
    for (const pair of pairs) {
      for (const prompt of pair.texts) {
        await promptToSlidesMs(deck.page, prompt);
        await settle(prompt);
      }
    }
    log('deck: warm-up round done');
    for (const pair of pairs) {
      const warmUps = 2;
      const samples: number[] = [];
      for (let rep = -warmUps; rep < 2 * reps; rep++) {
        const prompt = pair.texts[(rep + warmUps) % 2]; // alternate, so the prompt really changes
        const ms = await promptToSlidesMs(deck.page, prompt);
        await settle(prompt);
        const shown = Number(await deck.page.getAttribute('#deck-status', 'data-token-count'));
        if (shown !== pair.tokens) throw new Error(`the deck read ${shown} tokens for a ${pair.tokens}-token prompt`);
        if (rep >= 0) samples.push(ms);
      }
      log(`deck, ${pair.tokens} tokens: median ${median(samples).toFixed(1)} ms`);
      results.push({ tokens: pair.tokens, prompts: pair.texts, warmUps, summary: summary(samples) });
    }
    return { results, errors: deck.errors };
  } finally {
    await deck.context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The bench page: forward passes and generation

interface PageResults {
  load: LoadResult;
  forward: ForwardTimes[];
  deckGeneration: GenerationTimes;
  plainGeneration: GenerationTimes;
  tracedGeneration: GenerationTimes | { error: string };
  errors: string[];
}

async function benchPage(browser: Browser, deckUrl: string, pairs: PromptPair[], reps: number): Promise<PageResults> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  try {
    await page.goto(`${deckUrl}bench.html?backend=wasm`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === 'true', undefined, { timeout: 60_000 });
    const load = await page.evaluate((names) => window.bench.load(names), { traced: MODEL, plain: PLAIN });
    log(`bench page: models loaded (traced ${load.traced.outputs} outputs, plain ${load.plain.outputs})`);
    // A warm-up round over every length first (JIT, allocations), not counted.
    for (const pair of pairs) await page.evaluate((a) => window.bench.forward(a.ids, a.prompt, 2, 0), { ids: pair.ids[0], prompt: pair.texts[0] });
    const forward: ForwardTimes[] = [];
    for (const pair of pairs) {
      const args = { ids: pair.ids[0], prompt: pair.texts[0], reps: 2 * reps };
      forward.push(await page.evaluate((a) => window.bench.forward(a.ids, a.prompt, 2, a.reps), args));
      log(`bench page, forward passes, ${pair.tokens} tokens: done`);
    }
    const genIds = pairs.find((pair) => pair.tokens === GENERATION_PROMPT_TOKENS)!.ids[0];
    const genArgs = { ids: genIds, n: NEW_TOKENS, reps: 5 };
    const generation = await page.evaluate((a) => window.bench.generation(a.ids, a.n, 1, a.reps), genArgs);
    log('bench page, generation: done');
    return { load, forward, deckGeneration: generation.deck, plainGeneration: generation.plain, tracedGeneration: generation.traced, errors };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const ratio = (figure: number, baseline: number) => round(figure / baseline, 2);

function generationSummary(g: GenerationTimes) {
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

function report(options: {
  chromium: string;
  conversionMs: number;
  page: PageResults;
  deck: PromptEditResult[];
  deckErrors: string[];
  notes: string[];
  reps: number;
}) {
  const { page, deck } = options;
  const forward = page.forward.map((f) => {
    const plain = summary(f.plainMs);
    const traced = summary(f.tracedMs);
    const trace = summary(f.runTraceMs);
    const edit = deck.find((d) => d.tokens === f.tokens)!;
    return {
      tokens: f.tokens,
      baselinePlainForward: plain,
      tracedForward: traced,
      runTrace: trace,
      runTraceForwardMedianMs: round(median(f.runTraceForwardMs)),
      runTraceCollectMedianMs: round(median(f.runTraceCollectMs)),
      deckPromptToSlides: edit.summary,
      ratiosToBaseline: {
        tracedForward: ratio(traced.medianMs, plain.medianMs),
        runTrace: ratio(trace.medianMs, plain.medianMs),
        deckPromptToSlides: ratio(edit.summary.medianMs, plain.medianMs),
      },
      maxLogitDifference: f.maxLogitDifference,
      prompts: edit.prompts,
    };
  });
  const deckGen = generationSummary(page.deckGeneration);
  const plainGen = generationSummary(page.plainGeneration);
  const tracedGen = 'error' in page.tracedGeneration ? page.tracedGeneration : generationSummary(page.tracedGeneration);
  return {
    bench: 'live-llm-deck: tracing cost vs a plain transformers.js forward pass',
    environment: {
      chromium: options.chromium,
      backend: 'wasm',
      cpuCores: cpus().length,
      crossOriginIsolated: page.load.crossOriginIsolated,
      ortNumThreads: page.load.numThreads ?? null,
      node: process.version,
    },
    models: {
      traced: { name: MODEL, graphOutputs: page.load.traced.outputs, loadMs: round(page.load.traced.loadMs) },
      baseline: { name: PLAIN, graphOutputs: page.load.plain.outputs, loadMs: round(page.load.plain.loadMs), convertedAtBenchTimeMs: round(options.conversionMs) },
    },
    ratioConvention:
      'times: figure / baseline (2.0 = takes twice as long as the plain forward pass); throughput: baseline tokens/s / figure tokens/s (2.0 = half the baseline speed). Baselines are measured in this same run.',
    method: {
      promptEdit: `prompt bar (E, fill, Enter) in the built deck on ?backend=wasm; time between performance marks deck:prompt-submitted and deck:slides-rendered (all slides' DOM and notes built for the new Trace); two different prompts of the same length alternated; one uncounted warm-up round over all prompts, then per length 2 warm-ups, then ${2 * options.reps} repetitions (${options.reps} per prompt), each started after the previous prompt's streamed generation had finished`,
      forwardPasses: `bench page (bench.html), same chromium, WASM backend and runtime files, models run on the page's thread; plain forward, traced forward and runTrace interleaved; one uncounted warm-up round over all lengths, then per length 2 warm-ups, then ${2 * options.reps} repetitions, on the first prompt of each length`,
      generation: `${NEW_TOKENS} new tokens after a ${GENERATION_PROMPT_TOKENS}-token prompt, greedy, KV cache, prefill included; 1 warm-up then 5 runs, the three loops interleaved; deck = src/engine/generate.ts on the traced model, baseline = transformers.js model.generate({ do_sample: false }) on the plain model`,
    },
    forwardAndPromptEdit: forward,
    generation: {
      promptTokens: GENERATION_PROMPT_TOKENS,
      maxNewTokens: NEW_TOKENS,
      deckLoopTracedModel: deckGen,
      baselineGeneratePlainModel: plainGen,
      libraryGenerateTracedModel: tracedGen,
      ratioToBaseline: {
        deckLoopTracedModel: round(plainGen.tokensPerSecond / deckGen.tokensPerSecond, 2),
        libraryGenerateTracedModel: 'error' in tracedGen ? null : round(plainGen.tokensPerSecond / tracedGen.tokensPerSecond, 2),
      },
      sameTokens: deckGen.ids.join(',') === plainGen.ids.join(','),
    },
    errors: [...page.errors.map((e) => `bench page: ${e}`), ...options.deckErrors.map((e) => `deck: ${e}`)],
    notes: options.notes,
    durationS: round((performance.now() - t0) / 1000, 1),
  };
}

type Report = ReturnType<typeof report>;

function printTable(r: Report): void {
  const ms = (s: { medianMs: number; minMs: number }) => `${s.medianMs.toFixed(1)} (min ${s.minMs.toFixed(1)})`;
  const rows: string[][] = [['tokens', 'baseline forward', 'traced forward', 'runTrace', 'deck prompt→slides', 'ratios (÷ baseline)']];
  for (const f of r.forwardAndPromptEdit) {
    const q = f.ratiosToBaseline;
    rows.push([String(f.tokens), ms(f.baselinePlainForward), ms(f.tracedForward), ms(f.runTrace), ms(f.deckPromptToSlides), `${q.tracedForward}× / ${q.runTrace}× / ${q.deckPromptToSlides}×`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`${r.bench}\nchromium ${r.environment.chromium}, WASM, ${r.environment.ortNumThreads ?? '?'} ort thread(s), ${r.environment.cpuCores} cores\n`);
  console.log('Times in ms, median (min). Ratios: figure / baseline forward pass (traced / runTrace / deck).');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log('\nrunTrace split (median ms): ' + r.forwardAndPromptEdit.map((f) => `${f.tokens} tok: forward ${f.runTraceForwardMedianMs} + collect ${f.runTraceCollectMedianMs}`).join('; '));
  const g = r.generation;
  const gen = (name: string, s: { tokensPerSecond: number; medianMs: number; newTokens: number } | { error: string }, ratioText: string) =>
    'error' in s ? `  ${name.padEnd(40)} failed: ${s.error}` : `  ${name.padEnd(40)} ${s.tokensPerSecond.toFixed(1).padStart(7)} tok/s  (${s.newTokens} tokens in ${s.medianMs.toFixed(0)} ms)  ${ratioText}`;
  console.log(`\nGeneration, ${g.maxNewTokens} new tokens after ${g.promptTokens} prompt tokens (greedy, KV cache). Ratio: baseline tok/s ÷ figure tok/s.`);
  console.log(gen('baseline: model.generate, plain model', g.baselineGeneratePlainModel, ''));
  console.log(gen("deck's generate() loop, traced model", g.deckLoopTracedModel, `${g.ratioToBaseline.deckLoopTracedModel}×`));
  console.log(gen('model.generate, traced model', g.libraryGenerateTracedModel, g.ratioToBaseline.libraryGenerateTracedModel === null ? '' : `${g.ratioToBaseline.libraryGenerateTracedModel}×`));
  console.log(`  same tokens from the deck's loop and the baseline: ${g.sameTokens ? 'yes' : 'no'}`);
  for (const note of r.notes) console.log(`note: ${note}`);
  for (const error of r.errors) console.log(`error seen: ${error}`);
  console.log(`\n(${r.durationS} s)`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean', default: false }, reps: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log('usage: npm run bench [-- --json] [-- --reps N]   (N repetitions per prompt, default 5)');
    return 0;
  }
  const reps = Math.max(1, Number.parseInt(values.reps, 10) || 5);
  const sourceModels = resolve(process.env.DECK_MODELS ?? 'assets/models');
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    log('converting the baseline model (same weights, no trace outputs)');
    const models = buildModelsFolder(sourceModels);
    cleanups.push(() => rmSync(models.dir, { recursive: true, force: true }));

    configureOffline(models.dir + '/');
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
    const text = benchText();
    const pairs = PROMPT_LENGTHS.map((n) => promptsOfLength(tokenizer, text, n));

    // The harness reads DECK_MODELS when it is loaded: set it to the folder with both models first.
    process.env.DECK_MODELS = models.dir;
    const h: Harness = await import('../../tests/browser/harness');
    log('building the deck (vite build)');
    const build = await h.buildDeck();
    cleanups.push(() => build.remove());
    const server = await h.serveFolder(build.dir);
    cleanups.push(() => server.close());
    const browser = await h.launchChromium({ webgpu: false });
    cleanups.push(() => browser.close());

    const notes: string[] = [];
    const page = await benchPage(browser, server.deckUrl, pairs, reps);
    const deck = await benchDeck(h, browser, server.deckUrl, pairs, reps, notes);
    const result = report({ chromium: browser.version(), conversionMs: models.plainMs, page, deck: deck.results, deckErrors: deck.errors, notes, reps });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printTable(result);
    return 0;
  } catch (error) {
    console.error(`bench could not run: ${(error as Error).stack ?? error}`);
    return 1;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // cleaning up is best effort
      }
    }
  }
}

process.exitCode = await main();
