// `npm run handout`: a PDF of the whole deck with the real values for a prompt (?print-pdf, fragments
// merged). One page per slide; the text holds the prompt's token ids and its likeliest next token's
// probability as computed in Node by the same engine code; no page says it is waiting or failed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
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

describe('npm run handout', () => {
  it('refuses an unknown flag with its usage and exit 2', async () => {
    const failed = await handout(['--prompt', 'x', '--out', join(dir, 'x.pdf'), '--nonsense']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/usage: npm run handout/);
  });

  it('prints every slide once, with the real token ids and next-token probability, nothing waiting or failed', async () => {
    const pdf = join(dir, 'handout.pdf');
    const [, trace] = await Promise.all([handout(['--prompt', PROMPT, '--out', pdf]), loadModelInNode('sotu-gpt').then((loaded) => runTrace(loaded, PROMPT))]);

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
  });
});
