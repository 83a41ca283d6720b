// Command line: `npm run bench [-- --json] [-- --reps N] [-- --only <model>] [-- --backend webgpu]`. Measures, on WASM (or WebGPU) in headless Debian
// chromium, what the deck's live tracing costs next to a plain transformers.js model with the same
// weights, built and run in the same session, for the embedded model and a SmolLM2-135M-shaped one
// (random weights made at bench time, src/bench/smollm-shaped-model.ts; fewer lengths, see BENCH_MODELS):
//   1. prompt edit -> the slide on screen (the attention slide) drawn, and -> every slide drawn, in the real
//      built deck (8, 32, 128 and 250-token prompts), timed between performance marks the deck sets (src/bench/drive-deck.ts);
//   2. on the bench page (bench.html): a raw forward pass of the plain model (the baseline), of the
//      traced model, and the deck's full runTrace, for the same tokens (src/bench/drive-bench-page.ts);
//   3. generation, 32 new tokens after an 8-token prompt: the deck's generate() loop on the traced
//      model (lean steps, and asking for every output as before) vs transformers.js's model.generate() on the plain model;
//   4. memory: each model alone in a fresh page, peak JS heap + backing stores + WASM memory (src/bench/measure-memory.ts).
// The baseline model is converted at bench time from the deck model's own initializers with
// traceOutputs: false (src/bench/baseline-model.ts). Statistics in src/bench/statistics.ts, the
// table and JSON in src/bench/report.ts; the JSON's `summary` holds issue 13's figures per model (summaryOf).
// Exit 0 whatever the numbers; 1 only when the bench could not run.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoTokenizer } from '@huggingface/transformers';
import { buildModelsFolder } from '../bench/baseline-model';
import { benchText, promptsOfLength } from '../bench/bench-prompts';
import { BENCH_MODELS, EMBEDDED_GENERATION_REPS, GENERATION_REPS, log, MEMORY_NEW_TOKENS, type BenchBackend, MODEL, PROMPT_LENGTHS, SMOLLM_SHAPED, SUMMARY_PROMPT_TOKENS } from '../bench/bench-settings';
import { measureMemory } from '../bench/measure-memory';
import { compareBackends } from '../bench/compare-backends';
import { benchPage } from '../bench/drive-bench-page';
import { benchDeck } from '../bench/drive-deck';
import { printTable, report, summaryOf, type Report } from '../bench/report';
import { buildDeck, launchChromium, serveFolder } from '../browser';
import { configureOffline } from '../engine/load-model';
import { writeTraceExtras } from './trace-extras-writer';

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean', default: false }, reps: { type: 'string', default: '5' }, only: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run bench [-- --json] [-- --reps N] [-- --only <model>] [-- --backend wasm|webgpu]   (N repetitions per prompt, default 5; models: ${BENCH_MODELS.map((m) => m.traced).join(', ')})`);
    return 0;
  }
  const reps = Math.max(1, Number.parseInt(values.reps, 10) || 5);
  if (values.backend !== 'wasm' && values.backend !== 'webgpu') {
    console.error(`bench: --backend is wasm or webgpu, not ${values.backend}`);
    return 2;
  }
  const backend: BenchBackend = values.backend;
  const benchModels = BENCH_MODELS.filter((model) => values.only === undefined || model.traced === values.only);
  if (benchModels.length === 0) {
    console.error(`bench: no model called ${values.only}`);
    return 2;
  }
  const sourceModels = resolve(process.env.DECK_MODELS ?? 'assets/models');
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    log('converting the baseline model (same weights, no trace outputs) and making the SmolLM2-135M-shaped pair'); 
    const models = buildModelsFolder(sourceModels);
    cleanups.push(() => rmSync(models.dir, { recursive: true, force: true }));
    log(writeTraceExtras(join(models.dir, SMOLLM_SHAPED))); // as `npm run convert` writes it beside a converted model

    configureOffline(models.dir + '/');
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
    const text = benchText();
    const pairs = PROMPT_LENGTHS.map((n) => promptsOfLength(tokenizer, text, n));
    // On WebGPU (SwiftShader here: a CPU emulation whose times mean little) only the lengths up to the summary's 32
    // tokens: a 250-token pass there takes minutes. Generation keeps its 8-token prompt.
    const pairsOf = (lengths: number[]) => pairs.filter((pair) => lengths.includes(pair.tokens) && (backend === 'wasm' || pair.tokens <= SUMMARY_PROMPT_TOKENS));

    log('building the deck (vite build)');
    const build = await buildDeck(models.dir); // the folder with both models
    cleanups.push(() => build.remove());
    const server = await serveFolder(build.dir);
    cleanups.push(() => server.close());
    const browser = await launchChromium({ webgpu: backend === 'webgpu' });
    cleanups.push(() => browser.close());

    const reports: Report[] = [];
    for (const model of benchModels) {
      const notes: string[] = [];
      // The embedded model's generation runs are short on WASM (25 of them steady its median; on SwiftShader, where a
      // token takes 0.3 s, 5); the real-shaped one, whose steps take ~30x longer, reps + 1.
      const generationReps = model.traced !== MODEL ? Math.min(GENERATION_REPS, reps + 1) : backend === 'wasm' ? EMBEDDED_GENERATION_REPS : GENERATION_REPS;
      const page = await benchPage(browser, server.deckUrl, pairsOf(model.lengths), reps, model, generationReps, backend);
      const deck = await benchDeck(browser, server.deckUrl, pairsOf(model.deckLengths), reps, notes, `${model.deckSearch}&model=${model.traced}`, backend);
      const conversionMs = model.traced === MODEL ? models.plainMs : models.smolLmShapedMs;
      const memoryPrompt = pairsOf([SUMMARY_PROMPT_TOKENS])[0];
      const memory = await measureMemory(browser, server.deckUrl, model, memoryPrompt.ids[0], memoryPrompt.texts[0], MEMORY_NEW_TOKENS, backend);
      // On WebGPU, the slides' numbers against WASM's for the same prompt (within 1e-3, ids equal).
      const backends = backend === 'webgpu' ? await compareBackends(browser, server.deckUrl, model.traced, memoryPrompt.texts[0]) : null;
      if (backends) log(`${model.traced}: WebGPU vs WASM slide values: largest difference ${backends.maxDifference.toExponential(2)}, ${backends.equal ? 'equal within' : 'NOT equal within'} ${backends.tolerance}`);
      reports.push(report({ model, generationReps, chromium: browser.version(), conversionMs, page, deck: deck.results, deckErrors: deck.errors, notes, reps, memory, backend, backends }));
    }
    // The first model's report at the top level, as before; every model's under byModel; issue 13's figures in summary.
    const summary = Object.fromEntries(reports.map((r) => [r.models.traced.name, summaryOf(r)]));
    const result = { ...reports[0], byModel: Object.fromEntries(reports.map((r) => [r.models.traced.name, r])), summary };
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      for (const r of reports) printTable(r);
      console.log(`\nsummary (issue 13; goals: tracedForwardRatio <= 1.2, visibleSlideRatio <= 1.5, generationRatio <= 1.05, memoryRatio <= 1.3):\n${JSON.stringify(summary, null, 2)}`);
    }
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
