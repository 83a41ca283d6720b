// Command line: `npm run bench [-- --json] [-- --reps N]`. Measures, on WASM in headless Debian
// chromium, what the deck's live tracing costs next to a plain transformers.js model with the same
// weights, built and run in the same session:
//   1. prompt edit -> every slide rendered, in the real built deck (8, 32, 128 and 250-token prompts),
//      timed between two performance marks the deck sets (src/bench/drive-deck.ts);
//   2. on the bench page (bench.html): a raw forward pass of the plain model (the baseline), of the
//      traced model, and the deck's full runTrace, for the same tokens (src/bench/drive-bench-page.ts);
//   3. generation, 32 new tokens after an 8-token prompt: the deck's generate() loop on the traced
//      model vs transformers.js's model.generate() on the plain model.
// The baseline model is converted at bench time from the deck model's own initializers with
// traceOutputs: false (src/bench/baseline-model.ts). Statistics in src/bench/statistics.ts, the
// table and JSON in src/bench/report.ts. Exit 0 whatever the numbers; 1 only when the bench could not run.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoTokenizer } from '@huggingface/transformers';
import { buildModelsFolder } from '../bench/baseline-model';
import { benchText, promptsOfLength } from '../bench/bench-prompts';
import { log, MODEL, PROMPT_LENGTHS } from '../bench/bench-settings';
import { benchPage } from '../bench/drive-bench-page';
import { benchDeck } from '../bench/drive-deck';
import { printTable, report } from '../bench/report';
import { buildDeck, launchChromium, serveFolder } from '../browser';
import { configureOffline } from '../engine/load-model';

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

    log('building the deck (vite build)');
    const build = await buildDeck(models.dir); // the folder with both models
    cleanups.push(() => build.remove());
    const server = await serveFolder(build.dir);
    cleanups.push(() => server.close());
    const browser = await launchChromium({ webgpu: false });
    cleanups.push(() => browser.close());

    const notes: string[] = [];
    const page = await benchPage(browser, server.deckUrl, pairs, reps);
    const deck = await benchDeck(browser, server.deckUrl, pairs, reps, notes);
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
