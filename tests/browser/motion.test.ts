// Motion where it teaches (issue 12 item 8), on WASM: the generation slide replays its run step by step with
// each step's top 5, the KV-cache slide's rows fill, the transformer tower shows the last token's vector
// climbing block by block. Checked without timing anything: the fragments are stepped with the keyboard, and a
// CSS replay is paused at its start and sought to the middle of each of its steps (Web Animations API), where
// what is shown is read from the DOM and compared with Node's generation of the same prompt. With
// prefers-reduced-motion and in print, every slide shows its final state at once.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generate } from '../../src/engine/generate';
import { tokenize } from '../../src/engine/run-trace';
import type { GenerationStep } from '../../src/trace';
import { openDeck, waitForGenerations, waitForTrace } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

const deck = useBuiltDeck({ webgpu: false });
const PROMPT = 'The Congress should';
const SEARCH = `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}`;

/** Node's greedy run of the prompt, as long as the deck's (its step limit read from the slide). */
let inNode: GenerationStep[] = [];
let nodeTokens = 0;

async function nodeGeneration(steps: number): Promise<void> {
  if (inNode.length === steps) return;
  const loaded = await loadModelInNode('sotu-gpt');
  const ids = tokenize(loaded, PROMPT);
  nodeTokens = ids.length;
  inNode = await generate(loaded, ids, { maxNewTokens: steps, stopAtEndOfText: true });
}

async function goTo(page: Page, id: string, fragment = -1): Promise<void> {
  await page.evaluate(([slide, f]) => (window.location.hash = `#/${slide}/${f}`), [id, fragment] as const);
  await page.waitForFunction(
    ([slide, f]) => {
      const section = document.querySelector<HTMLElement>('.reveal .slides > section.present');
      return section?.id === slide && (f < 0 || section.getAttribute('data-fragment') === String(f));
    },
    [id, fragment] as const,
  );
}

/** → from the keyboard, as a presenter or a clicker sends it (nothing focused that would take the key). */
async function pressNext(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('ArrowRight');
}

/**
 * Presses → onto a slide's replay and holds it: its steps are first made long (100 s, so none can end while
 * the test looks), then every animation it started is paused; seekReplay moves them. Returns how many there are.
 */
async function nextHoldingReplay(page: Page, id: string): Promise<number> {
  await page.evaluate((slide) => {
    for (const element of document.getElementById(slide)!.querySelectorAll<HTMLElement>('.live-slide, .replay-scope, .replay-item')) element.style.setProperty('--replay-step', '100000ms');
  }, id);
  await pressNext(page);
  return page.evaluate((slide) => {
    const animations = document.getElementById(slide)!.getAnimations({ subtree: true });
    for (const animation of animations) animation.pause();
    return animations.length;
  }, id);
}

/** Seeks every paused animation of the slide to the middle of replay step `step`. */
async function seekReplay(page: Page, id: string, step: number): Promise<void> {
  await page.evaluate(
    ([slide, k]) => {
      const section = document.getElementById(slide)!;
      const item = section.querySelector<HTMLElement>('.replay-item')!;
      const stepMs = parseFloat(getComputedStyle(item).getPropertyValue('--replay-step'));
      for (const animation of section.getAnimations({ subtree: true })) animation.currentTime = (k + 0.5) * stepMs;
    },
    [id, step] as const,
  );
}

/** The attribute `attribute` of the elements `selector` of the slide that are shown (not visibility hidden, not display none), in DOM order. */
async function shown(page: Page, id: string, selector: string, attribute: string): Promise<string[]> {
  return page.evaluate(
    ([slide, sel, attr]) =>
      [...document.getElementById(slide)!.querySelectorAll<HTMLElement>(sel)]
        .filter((element) => {
          const style = getComputedStyle(element);
          return style.visibility !== 'hidden' && style.display !== 'none' && element.getClientRects().length > 0;
        })
        .map((element) => element.getAttribute(attr) ?? ''),
    [id, selector, attribute] as const,
  );
}

async function count(page: Page, id: string, selector: string): Promise<number> {
  return page.evaluate(([slide, sel]) => document.getElementById(slide)!.querySelectorAll(sel).length, [id, selector] as const);
}

describe('motion where it teaches', () => {
  let page: Page;
  let close: () => Promise<void>;
  let errors: string[];
  let generated: number;

  beforeAll(async () => {
    const opened = await openDeck(deck.browser, deck.server.deckUrl, SEARCH);
    ({ page, errors } = opened);
    close = () => opened.context.close();
    await waitForTrace(page, PROMPT);
    await waitForGenerations(page);
    generated = Number(await page.locator('section#generation .generation-body').getAttribute('data-generated'));
    await nodeGeneration(generated);
  }, 180_000);
  afterAll(async () => close?.());

  it('replays the generation step by step with each step’s real top 5, then the rest of the run in order', async () => {
    expect(generated).toBeGreaterThan(6);
    const ids = inNode.map((step) => String(step.id));
    const replayed = Number(await page.locator('section#generation .generation-body').getAttribute('data-replayed-steps'));
    expect(replayed).toBe(5);
    await goTo(page, 'generation');
    // Arriving: the final state (every chip, the table).
    expect(await shown(page, 'generation', '.generation-sequence .generated-chip', 'data-token-id')).toEqual(ids);
    expect(await shown(page, 'generation', '.generation-step-panel', 'data-step')).toEqual([]);
    for (let step = 0; step < replayed; step++) {
      await pressNext(page);
      await page.waitForFunction((f) => document.getElementById('generation')!.getAttribute('data-fragment') === String(f), step);
      expect(await shown(page, 'generation', '.generation-sequence .generated-chip', 'data-token-id'), `step ${step + 1}`).toEqual(ids.slice(0, step + 1));
      expect(await shown(page, 'generation', '.generation-step-panel', 'data-step')).toEqual([String(step)]);
      const panel = `.generation-step-panel[data-step="${step}"]`;
      expect(await shown(page, 'generation', `${panel} .generation-top5-row`, 'data-token-id')).toEqual(inNode[step].top5.map((c) => String(c.id)));
      expect(await shown(page, 'generation', `${panel} .generation-top5-row[data-chosen="true"]`, 'data-token-id')).toEqual([ids[step]]);
      const probs = (await shown(page, 'generation', `${panel} .generation-top5-row`, 'data-prob')).map(Number);
      probs.forEach((p, k) => expect(p).toBeCloseTo(inNode[step].top5[k].prob, 4));
      expect(await shown(page, 'generation', '.generation-steps', 'class')).toEqual([]); // the panel takes the table's place
    }
    // The last fragment: the remaining chips one after another, in the run's order; the table is back.
    expect(await nextHoldingReplay(page, 'generation')).toBeGreaterThan(0);
    for (let k = 0; k < generated - replayed; k++) {
      await seekReplay(page, 'generation', k);
      expect(await shown(page, 'generation', '.generation-sequence .generated-chip', 'data-token-id'), `tail step ${k}`).toEqual(ids.slice(0, replayed + k + 1));
    }
    expect(await shown(page, 'generation', '.generation-steps', 'class')).toHaveLength(1);
    expect(await shown(page, 'generation', '.generation-step-panel', 'data-step')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('fills the KV cache row by row: the prompt’s rows at once, then one per generated token, in order', async () => {
    await goTo(page, 'kv-cache');
    const allRows = await shown(page, 'kv-cache', 'tr.kv-row', 'data-token-id');
    const generatedRows = await shown(page, 'kv-cache', 'tr.kv-row[data-kind="generated"]', 'data-position');
    expect(allRows.length).toBeGreaterThan(generatedRows.length);
    expect(await nextHoldingReplay(page, 'kv-cache')).toBeGreaterThan(0);
    const orders = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#kv-cache tr.kv-row, #kv-cache tr.kv-row-gap')].map((row) => Number(row.dataset.replayOrder)));
    const last = Math.max(...orders);
    let seenGenerated = 0;
    for (let k = 0; k <= last; k++) {
      await seekReplay(page, 'kv-cache', k);
      const prompt = await shown(page, 'kv-cache', 'tr.kv-row[data-kind="prompt"]', 'data-token-id');
      expect(prompt.length, `order ${k}`).toBe(await count(page, 'kv-cache', 'tr.kv-row[data-kind="prompt"]')); // written in one pass
      const positions = (await shown(page, 'kv-cache', 'tr.kv-row[data-kind="generated"]', 'data-position')).map(Number);
      const tokenIds = await shown(page, 'kv-cache', 'tr.kv-row[data-kind="generated"]', 'data-token-id');
      // What is shown is a beginning of the drawn rows, growing by at most one row per step, each the real token at its position.
      expect(positions).toEqual(generatedRows.slice(0, positions.length).map(Number));
      expect(positions.length - seenGenerated).toBeLessThanOrEqual(1);
      positions.forEach((position, i) => expect(tokenIds[i]).toBe(String(inNode[position - nodeTokens].id)));
      const bytes = (await shown(page, 'kv-cache', 'tr.kv-row[data-kind="generated"]', 'data-cache-bytes')).map(Number);
      const perToken = Number(await page.locator('section#kv-cache .kv-cache-body').getAttribute('data-bytes-per-token'));
      positions.forEach((position, i) => expect(bytes[i]).toBe(perToken * (position + 1)));
      seenGenerated = positions.length;
    }
    expect(last).toBeGreaterThanOrEqual(generatedRows.length);
    expect(seenGenerated).toBe(generatedRows.length);
    expect(errors).toEqual([]);
  });

  it('shows the last token’s vector climbing the tower, level by level, with the block it passes through lit', async () => {
    await goTo(page, 'transformer-tower');
    const nLayer = await count(page, 'transformer-tower', '.tb-tower-block');
    const finalLevels = await shown(page, 'transformer-tower', '.tb-climb-level', 'data-level');
    expect(finalLevels.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: nLayer + 2 }, (_, i) => i));
    // The levels' lengths are the Trace's: entering and leaving the open block (layer 0) as its numbers say.
    const numbers = page.locator('section#transformer-tower .tb-block-numbers');
    const norm = async (level: number) => Number(await page.locator(`section#transformer-tower .tb-climb-level[data-level="${level}"]`).getAttribute('data-norm'));
    expect(await norm(0)).toBeCloseTo(Number(await numbers.getAttribute('data-norm-in')), 6);
    expect(await norm(1)).toBeCloseTo(Number(await numbers.getAttribute('data-norm-out')), 6);
    expect(await nextHoldingReplay(page, 'transformer-tower')).toBeGreaterThan(0);
    for (let level = 0; level <= nLayer + 1; level++) {
      await seekReplay(page, 'transformer-tower', level);
      const levels = (await shown(page, 'transformer-tower', '.tb-climb-level', 'data-level')).map(Number).sort((a, b) => a - b);
      expect(levels, `level ${level}`).toEqual(Array.from({ length: level + 1 }, (_, i) => i));
      const lit = await page.evaluate(() =>
        [...document.querySelectorAll<SVGElement>('#transformer-tower .tb-tower-block')].filter((block) => getComputedStyle(block.querySelector('.tb-tower-rect')!).strokeWidth === '7px').map((block) => Number(block.dataset.layer)),
      );
      expect(lit).toEqual(level >= 1 && level <= nLayer ? [level - 1] : []);
    }
    expect(errors).toEqual([]);
  });
});

describe('reduced motion and print: the final state at once', () => {
  it('with prefers-reduced-motion, no replay fragment: every token, row and level at once, and → moves on', async () => {
    const context = await deck.browser.newContext({ viewport: { width: 1280, height: 720 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(deck.server.deckUrl + SEARCH);
    await waitForTrace(page, PROMPT);
    await waitForGenerations(page);
    const generatedCount = Number(await page.locator('section#generation .generation-body').getAttribute('data-generated'));
    const checks: [string, string, string, number][] = [
      ['generation', '.generation-sequence .generated-chip', 'data-token-id', generatedCount],
      ['kv-cache', 'tr.kv-row, tr.kv-row-gap', 'data-replay-order', await count(page, 'kv-cache', 'tr.kv-row, tr.kv-row-gap')],
      ['transformer-tower', '.tb-climb-level', 'data-level', (await count(page, 'transformer-tower', '.tb-tower-block')) + 2],
    ];
    for (const [id, selector, attribute, all] of checks) {
      // No press that changes nothing: the slide has no fragment, so → goes to the next slide.
      expect(await count(page, id, '.fragment'), id).toBe(0);
      await goTo(page, id);
      // No waiting: read at once.
      expect(await shown(page, id, selector, attribute), id).toHaveLength(all);
      expect(await page.evaluate((slide) => document.getElementById(slide)!.getAnimations({ subtree: true }).filter((a) => (a as CSSAnimation).animationName?.startsWith('replay-')).length, id)).toBe(0);
    }
    await goTo(page, 'generation');
    expect(await shown(page, 'generation', '.generation-step-panel', 'data-step')).toEqual([]);
    expect(await shown(page, 'generation', '.generation-steps', 'class')).toHaveLength(1);
    expect(await page.locator('section#generation .generation-replay-hint').count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('.reveal .slides > section.present')?.id !== 'generation');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('printed (?print-pdf), every generated step is in full on the page and every row and level is drawn', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, `?print-pdf&${SEARCH.slice(1)}`);
    await waitForTrace(page, PROMPT);
    await waitForGenerations(page);
    const generatedCount = Number(await page.locator('section#generation .generation-body').getAttribute('data-generated'));
    await nodeGeneration(generatedCount);
    const ids = inNode.map((step) => String(step.id));
    expect(await shown(page, 'generation', '.generation-sequence .generated-chip', 'data-token-id')).toEqual(ids);
    expect(await shown(page, 'generation', '.generation-step[data-step]', 'data-token-id')).toEqual(ids); // every row, none elided
    expect(await shown(page, 'generation', '.generation-step-gap', 'data-elided')).toEqual([]);
    expect(await shown(page, 'generation', '.generation-step-panel', 'data-step')).toEqual([]);
    expect(await shown(page, 'kv-cache', 'tr.kv-row, tr.kv-row-gap', 'data-replay-order')).toHaveLength(await count(page, 'kv-cache', 'tr.kv-row, tr.kv-row-gap'));
    expect(await shown(page, 'transformer-tower', '.tb-climb-level', 'data-level')).toHaveLength((await count(page, 'transformer-tower', '.tb-tower-block')) + 2);
    expect(await page.evaluate(() => document.getAnimations().filter((a) => (a as CSSAnimation).animationName?.startsWith('replay-')).length)).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
