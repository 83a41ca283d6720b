// `npm run handout`: a PDF of the whole deck with the real values for a prompt (?print-pdf, fragments
// merged). One page per slide; the text holds the prompt's token ids and its likeliest next token's
// probability as computed in Node by the same engine code; no page says it is waiting or failed.
// Issue 12 item 7: the pages are white (the light print theme; every page's pixels, rendered by
// poppler's pdftoppm) and the generation page lists every step of the answer (pdftotext), while
// `--theme dark` keeps the screen's black pages.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { BASE_ANSWER_TOKENS } from '../../src/engine/answer-stream';
import { generate } from '../../src/engine/generate';
import { runTrace } from '../../src/engine/run-trace';
import { INVITATION } from '../../src/deck/slide-context';
import { formatPercent } from '../../src/viz/format';
import { deckSlides } from '../../slides/index';
import { nextTokenProbs } from './harness';

const PROMPT = 'The people of the United States';
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'deck-handout-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const handout = (args: string[]) =>
  run(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), 'src/cli/handout.ts', ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 200_000 });

const pageText = async (pdf: string, page: number) => (await run('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-'])).stdout.replace(/\s+/g, ' ');

/** Each page's share of near-white and of near-black pixels, and whether its four corners are near-white (pdftoppm's PPM at 12 dpi). */
async function pageTones(pdf: string): Promise<{ white: number; black: number; whiteCorners: boolean }[]> {
  await run('pdftoppm', ['-r', '12', pdf, join(dir, 'tone')]);
  const files = readdirSync(dir).filter((name) => name.startsWith('tone') && name.endsWith('.ppm')).sort();
  return files.map((name) => {
    const bytes = readFileSync(join(dir, name));
    rmSync(join(dir, name));
    // Binary PPM: "P6 <width> <height> <max>" and one whitespace, then RGB bytes.
    const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 40).toString('latin1'))!;
    const [width, height] = [Number(header[1]), Number(header[2])];
    const pixels = bytes.subarray(header[0].length);
    const isWhite = (i: number) => pixels[i] >= 235 && pixels[i + 1] >= 235 && pixels[i + 2] >= 235;
    const isBlack = (i: number) => pixels[i] <= 30 && pixels[i + 1] <= 30 && pixels[i + 2] <= 30;
    let white = 0;
    let black = 0;
    for (let i = 0; i < width * height * 3; i += 3) {
      if (isWhite(i)) white++;
      if (isBlack(i)) black++;
    }
    const corners = [0, width - 1, (height - 1) * width, height * width - 1].map((pixel) => pixel * 3);
    return { white: white / (width * height), black: black / (width * height), whiteCorners: corners.every(isWhite) };
  });
}

describe('npm run handout', () => {
  it('refuses an unknown flag with its usage and exit 2', async () => {
    const failed = await handout(['--prompt', 'x', '--out', join(dir, 'x.pdf'), '--nonsense']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/usage: npm run handout/);
  });

  it('prints every slide once on white, with the real token ids, next-token probability and every generation step, nothing waiting or failed', async () => {
    const pdf = join(dir, 'handout.pdf');
    const inNode = async () => {
      const loaded = await loadModelInNode('sotu-gpt');
      const trace = await runTrace(loaded, PROMPT);
      // The deck's answer for a base model: greedy, BASE_ANSWER_TOKENS tokens with the KV cache.
      const steps = await generate(loaded, trace.tokens.map((token) => token.id), { maxNewTokens: BASE_ANSWER_TOKENS, useCache: true });
      return { trace, steps };
    };
    const [, { trace, steps }] = await Promise.all([handout(['--prompt', PROMPT, '--out', pdf]), inNode()]);

    const info = (await run('pdfinfo', [pdf])).stdout;
    expect(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1])).toBe(deckSlides.length);
    // Reveal's print page: the 1280 × 720 slide plus its 4% margin, in points (0.75 pt per px).
    const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info);
    expect(Number(size?.[1]) / 0.75).toBeCloseTo(1331, -1);
    expect(Number(size?.[2]) / 0.75).toBeCloseTo(748, -1);

    const all = (await run('pdftotext', [pdf, '-'])).stdout.replace(/\s+/g, ' ');
    for (const waiting of ['Running the model', 'Loading ', 'Waiting for', 'could not', 'Missing:', INVITATION]) expect(all).not.toContain(waiting);

    const ids = trace.tokens.map((token) => token.id);
    expect(ids.length).toBeGreaterThan(3);
    const tokenization = await pageText(pdf, deckSlides.findIndex((slide) => slide.id === 'tokenization') + 1);
    expect(tokenization).toContain(ids.join(' '));

    const probs = nextTokenProbs(trace);
    const top = probs.indexOf(Math.max(...probs));
    const nextToken = await pageText(pdf, deckSlides.findIndex((slide) => slide.id === 'next-token') + 1);
    expect(nextToken).toContain(formatPercent(probs[top]));
    // The fragments are shown: the pipeline slide's last step (a fragment) names the same token's probability.
    const pipeline = await pageText(pdf, deckSlides.findIndex((slide) => slide.id === 'pipeline') + 1);
    expect(pipeline).toContain(`(${formatPercent(probs[top])})`);

    // Every step of the answer, not only those the slide shows on screen (its first and last ones).
    expect(steps.length).toBeGreaterThan(7); // more than the slide shows on screen
    const generation = await pageText(pdf, deckSlides.findIndex((slide) => slide.id === 'generation') + 1);
    const missing = steps.map((step, index) => ({ step: index + 1, p: formatPercent(step.prob) })).filter(({ p }) => !generation.includes(p));
    expect(missing).toEqual([]);

    // White pages with dark text: every page mostly white, white to its corners.
    const tones = await pageTones(pdf);
    expect(tones).toHaveLength(deckSlides.length);
    const dark = tones.map((tone, index) => ({ page: index + 1, ...tone })).filter((tone) => tone.white < 0.5 || !tone.whiteCorners);
    expect(dark).toEqual([]);
  });

  it('keeps the screen\'s black pages with --theme dark', async () => {
    const pdf = join(dir, 'handout-dark.pdf');
    await handout(['--prompt', PROMPT, '--out', pdf, '--theme', 'dark']);
    const tones = await pageTones(pdf);
    expect(tones).toHaveLength(deckSlides.length);
    const light = tones.map((tone, index) => ({ page: index + 1, ...tone })).filter((tone) => tone.black < 0.5 || tone.white > 0.2);
    expect(light).toEqual([]);
  });
});
