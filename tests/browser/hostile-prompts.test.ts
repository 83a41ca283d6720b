// The shared hostile-prompt corpus (tests/fixtures/hostile-prompts.ts) through `npm run trace` and
// through the deck's prompt field: the same ids for every prompt, the same verdict on empty ones
// (whitespace alone), \r read as \n by both, no page errors, and no markup ever run as code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDeck, readSlideNumbers, setPromptValue, waitForTrace } from '../../src/browser';
import { HOSTILE_FLAG, HOSTILE_PROMPTS } from '../fixtures/hostile-prompts';
import { useBuiltDeck } from './built-deck';

const deck = useBuiltDeck({ webgpu: false });

type CliVerdict = { prompt: string; ids: number[] } | { prompt: string; empty: true };

/** The CLI's answer for every prompt, in one run (a command line cannot carry NUL, so a file). */
function cliVerdicts(prompts: string[]): CliVerdict[] {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
  try {
    writeFileSync(join(dir, 'prompts.json'), JSON.stringify(prompts));
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/trace.ts', '--prompts-file', join(dir, 'prompts.json')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return stdout.trim().split('\n').map((line) => JSON.parse(line) as CliVerdict);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the hostile-prompt corpus through the CLI and the deck', () => {
  it('gives the same ids (or the same "empty") for each of them, runs no markup and logs no error', async () => {
    const names = Object.keys(HOSTILE_PROMPTS);
    expect(names.length).toBeGreaterThanOrEqual(45);
    const cli = cliVerdicts(Object.values(HOSTILE_PROMPTS));
    expect(cli).toHaveLength(names.length);
    expect(cli.filter((verdict) => 'empty' in verdict).length).toBeGreaterThanOrEqual(6);
    const { context, page, errors, log } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&prompt=Hello');
    try {
      await waitForTrace(page, 'Hello');
      const status = page.locator('#deck-status');
      const mismatches: string[] = [];
      for (const [index, name] of names.entries()) {
        const verdict = cli[index]!;
        await setPromptValue(page, HOSTILE_PROMPTS[name]!);
        if ('empty' in verdict) {
          await status.locator('[data-notice="empty"]').waitFor({ timeout: 30_000 });
          if ((await status.getAttribute('data-trace-prompt')) !== null) mismatches.push(`${name}: the deck shows a Trace for an empty prompt`);
          continue;
        }
        await waitForTrace(page, verdict.prompt, 60_000); // the CLI's normalised prompt is the one the deck ran
        // The slide draws the Trace a frame after the badge says it arrived: wait for it a little.
        let ids: number[] = [];
        for (let tries = 0; tries < 40; tries++) {
          ids = (await readSlideNumbers(page)).tokenIds;
          if (JSON.stringify(ids) === JSON.stringify(verdict.ids)) break;
          await page.waitForTimeout(250);
        }
        if (JSON.stringify(ids) !== JSON.stringify(verdict.ids)) mismatches.push(`${name}: deck ${JSON.stringify(ids.slice(0, 12))}… cli ${JSON.stringify(verdict.ids.slice(0, 12))}…`);
      }
      expect(mismatches).toEqual([]);
      expect(await page.evaluate((flag) => (window as unknown as Record<string, unknown>)[flag], HOSTILE_FLAG)).toBeUndefined();
      expect(errors).toEqual([]);
    } catch (error) {
      console.log(log.slice(-40).join('\n'));
      throw error;
    } finally {
      await context.close();
    }
  });
});
