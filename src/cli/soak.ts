// Command line: `npm run soak [-- --edits 300] [-- --every 50] [-- --json file]`. An hour on stage, compressed:
// the built deck in headless Debian chromium on WASM, 300 prompt edits through the prompt bar (E), each on
// the next slide in deck order so every slide is on screen in turn, each waited for until every slide shows
// its Trace. Every 50 edits, back on the title slide with the same prompt and the answer streamed, garbage
// collected: the page's JS heap (and, from a heap snapshot, V8's optimised code in it, the rest, and its
// objects), the engine worker's JS heap, DOM nodes, listeners and the renderer's resident memory
// (src/browser/soak-metrics.ts). Prints a table and JSON; exits 1 when a judged figure (JUDGED_METRICS: all but
// the page's whole heap and its optimised code, which grows while V8 first optimises more of the deck's
// functions) grew by 10% or more from the first sample (edit 50) to the last (edit 300), or the page logged an
// error; 2 when the soak could not run.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDeck, launchChromium, openDeck, serveFolder, submitThroughPromptBar, waitForGenerations, waitForTrace } from '../browser';
import { memoryProbe } from '../browser/soak-metrics';
import { soakGrowth, soakPassed, soakTable, SOAK_GROWTH_LIMIT, type SoakSample } from '../browser/soak-report';

/** Prompts a presenter might type, short to long; edits cycle through them, so every sample sees the same one. */
const PROMPTS = [
  'The state of the union is',
  'We the people',
  'The Congress should pass a law that',
  'Our economy grew by',
  'Tonight I ask you to remember the men and women who serve',
  'Health care',
  'The budget I send you this year will cut taxes for working families and',
  'America is strong',
  'In the last year we have seen',
  'My fellow citizens, the state of our union is strong, and together we will make it stronger still',
];

/** The deck's engine worker (not onnxruntime's threads). */
const ENGINE_WORKER = /\/assets\/worker-[\w-]+\.js$/;

function log(message: string): void {
  console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { edits: { type: 'string', default: '300' }, every: { type: 'string', default: '50' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log('usage: npm run soak [-- --edits 300] [-- --every 50] [-- --json soak.json]');
    return 0;
  }
  const edits = Math.max(2, Number.parseInt(values.edits, 10) || 300);
  const every = Math.max(1, Number.parseInt(values.every, 10) || 50);
  if (every % PROMPTS.length !== 0) log(`--every ${every} is not a multiple of ${PROMPTS.length}: samples will see different prompts`);

  log('building the deck (vite build)');
  const build = await buildDeck();
  const server = await serveFolder(build.dir);
  const browser = await launchChromium({ webgpu: false });
  try {
    const first = PROMPTS[0]!;
    const { page, errors } = await openDeck(browser, server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(first)}`);
    await waitForTrace(page, first, 300_000);
    const slideIds = await page.$$eval('.reveal .slides > section[id]', (sections) => sections.map((section) => section.id));
    log(`model loaded; ${slideIds.length} slides; ${edits} edits, a sample every ${every}`);
    const probe = await memoryProbe(browser, page, ENGINE_WORKER);
    const goTo = (id: string) => page.evaluate((slide) => void (window.location.hash = `#/${slide}`), id);
    const samples: SoakSample[] = [];
    const started = Date.now();
    for (let edit = 1; edit <= edits; edit++) {
      await goTo(slideIds[edit % slideIds.length]!);
      const prompt = PROMPTS[edit % PROMPTS.length]!;
      await submitThroughPromptBar(page, prompt);
      await waitForTrace(page, prompt);
      if (edit % 10 === 0) log(`${edit} edits, ${((Date.now() - started) / 1000 / edit).toFixed(2)} s per edit`);
      if (edit % every === 0) {
        await goTo(slideIds[0]!);
        await waitForGenerations(page); // the answer streamed: nothing in flight while we count
        await page.waitForTimeout(500);
        const sample = await probe.sample(edit);
        samples.push(sample);
        log(`sample at ${edit}: ${JSON.stringify(sample)}`);
      }
    }
    await probe.close();
    const growth = soakGrowth(samples);
    const passed = soakPassed(growth) && errors.length === 0;
    console.log(soakTable(samples));
    const report = { edits, every, limit: SOAK_GROWTH_LIMIT, samples, growth, pageErrors: errors, passed };
    console.log(JSON.stringify(report, null, 2));
    if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
    if (errors.length > 0) log(`page errors: ${errors.join(' | ')}`);
    log(passed ? `passed: every figure grew less than ${SOAK_GROWTH_LIMIT * 100}% from edit ${every} to ${edits}` : 'FAILED: see the ✗ above');
    return passed ? 0 : 1;
  } finally {
    await browser.close();
    await server.close();
    build.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('soak: could not run:', error);
    process.exit(2);
  },
);
