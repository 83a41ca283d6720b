// Command line: `npm run handout -- --prompt "..." --out handout.pdf [--fragments merged|separate] [--notes] [--theme light|dark]`.
// Writes a PDF of the whole deck with the real values for one prompt: builds the deck (vite build),
// serves it, opens `?print-pdf&backend=wasm&prompt=...` in headless Debian chromium, waits until the
// Trace, the streamed generation and the print layout are rendered (src/deck/print-mode.ts), and
// prints the page at the size Reveal's print view asks for (its @page rule: the slide plus margin).
//   --fragments merged    (default) one page per slide, every fragment shown
//   --fragments separate  one more page per fragment step
//   --notes               each slide's speaker notes, with their live values, on the page after it
//   --theme light         (default) the print theme: white pages, dark text, the screen's colour scales
//   --theme dark          the screen's look: black pages (src/deck/print-mode.css)
// Exit 0 on success, 1 when the handout could not be made, 2 on a bad command line (with usage).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDeck, launchChromium, openDeck, serveFolder, waitForEngineIdle, waitForGenerations, waitForTrace } from '../browser';

const USAGE = 'usage: npm run handout -- --prompt "..." --out handout.pdf [--fragments merged|separate] [--notes] [--theme light|dark]';

const log = (message: string) => process.stderr.write(`[handout ${((performance.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
const t0 = performance.now();

export interface HandoutOptions {
  prompt: string;
  out: string;
  fragments: 'merged' | 'separate';
  notes: boolean;
  theme: 'light' | 'dark';
}

/** The deck's query string for a handout of `options`. */
export function handoutSearch(options: Pick<HandoutOptions, 'prompt' | 'fragments' | 'notes'> & { theme?: HandoutOptions['theme'] }): string {
  const params = new URLSearchParams({ backend: 'wasm', prompt: options.prompt, 'pdf-fragments': options.fragments });
  if (options.notes) params.set('pdf-notes', 'separate-page');
  if (options.theme === 'dark') params.set('print-theme', 'dark');
  return `?print-pdf&${params.toString()}`;
}

function parseCommandLine(args: string[]): HandoutOptions | { help: true } | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        prompt: { type: 'string' },
        out: { type: 'string' },
        fragments: { type: 'string', default: 'merged' },
        notes: { type: 'boolean', default: false },
        theme: { type: 'string', default: 'light' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return { help: true };
  if (values.prompt === undefined || values.prompt.trim() === '') return { error: '--prompt is required (a non-empty prompt)' };
  if (!values.out) return { error: '--out is required' };
  if (values.fragments !== 'merged' && values.fragments !== 'separate') return { error: `--fragments must be merged or separate, not "${values.fragments}"` };
  if (values.theme !== 'light' && values.theme !== 'dark') return { error: `--theme must be light or dark, not "${values.theme}"` };
  return { prompt: values.prompt, out: resolve(values.out), fragments: values.fragments, notes: values.notes, theme: values.theme };
}

async function writeHandout(options: HandoutOptions): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    log('building the deck (vite build)');
    const build = await buildDeck();
    cleanups.push(() => build.remove());
    const server = await serveFolder(build.dir);
    cleanups.push(() => server.close());
    const browser = await launchChromium({ webgpu: false });
    cleanups.push(() => browser.close());
    const deck = await openDeck(browser, server.deckUrl, handoutSearch(options));
    const { page } = deck;
    log('waiting for the model and the Trace');
    await waitForEngineIdle(page);
    const phase = await page.getAttribute('#deck-status', 'data-phase');
    if (phase !== 'ready') throw new Error(`the deck's model did not load (phase ${phase}): ${deck.errors.join(' | ')}`);
    await waitForTrace(page, options.prompt);
    log('waiting for the streamed generation');
    await waitForGenerations(page, 180_000); // with and without the KV cache, compared on the KV-cache slide
    await page.waitForFunction(() => document.documentElement.dataset.printLayout === 'ready', undefined, { timeout: 60_000 });
    // Fonts loaded, and two frames for the last render's layout.
    await page.evaluate(() => document.fonts.ready.then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))));
    const pages = await page.evaluate(() => document.querySelectorAll('.reveal .slides > .pdf-page, .reveal .slides > .speaker-notes-pdf').length);
    log(`printing ${pages} pages`);
    mkdirSync(dirname(options.out), { recursive: true });
    // preferCSSPageSize: the page is the size Reveal's print view sets with @page (slide + margin).
    await page.pdf({ path: options.out, printBackground: true, preferCSSPageSize: true });
    if (deck.errors.length > 0) log(`errors seen in the page: ${deck.errors.join(' | ')}`);
    log(`wrote ${options.out}`);
    await deck.context.close();
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

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    console.error(`handout: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  try {
    await writeHandout(parsed);
    return 0;
  } catch (error) {
    console.error(`handout could not be made: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

process.exitCode = await main();
