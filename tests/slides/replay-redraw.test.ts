// @vitest-environment happy-dom
// The replays (issue 12 item 8) survive the redraws that streaming brings: the generation and KV-cache slides
// are drawn again for every streamed step (also while the run without the cache streams after the answer is
// done), and the fragment state Reveal put on the old elements must be on the new ones. Also the replay's
// structure from the real generation: which chip belongs to which fragment, in order.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import generationSlide, { REPLAYED_STEPS, replayFragmentOf, replayedStepCount } from '../../slides/21-generation';
import kvCache from '../../slides/22-kv-cache';
import type { Generation, Trace } from '../../src/trace';
import { realGeneration, renderWithGeneration, streamingCopy, type RealGeneration } from './real-generation';

/** Draws the slide again into the same root, as the deck does for a streamed step. */
function redraw(slide: Parameters<typeof renderWithGeneration>[0], root: HTMLElement, trace: Trace, generation: Generation): void {
  slide.render(root, { trace, waitingMessage: '', generation });
}

afterEach(() => document.body.replaceChildren());

let real: RealGeneration;
beforeAll(async () => {
  real = await realGeneration('The Congress should', 10);
}, 60_000);

/** What Reveal does on → to fragment `index`: .visible up to it, .current-fragment on it. */
function showFragment(root: HTMLElement, index: number): void {
  for (const element of root.querySelectorAll<HTMLElement>('.fragment')) {
    const at = Number(element.dataset.fragmentIndex);
    element.classList.toggle('visible', at <= index);
    element.classList.toggle('current-fragment', at === index);
  }
}

const classesOf = (root: HTMLElement, selector: string) => Array.from(root.querySelectorAll<HTMLElement>(selector), (element) => `${element.dataset.fragmentIndex}:${element.classList.contains('visible')}:${element.classList.contains('current-fragment')}`);

describe('replays', () => {
  it('gives steps 1 to 5 a fragment each and the rest of the run the next one, in the run’s order', () => {
    const { trace, generation } = real;
    const steps = generation.cached.steps;
    expect(steps.length).toBe(10);
    const root = renderWithGeneration(generationSlide, trace, generation);
    const chips = Array.from(root.querySelectorAll<HTMLElement>('.generation-sequence .generated-chip'));
    expect(chips.map((chip) => Number(chip.dataset.tokenId))).toEqual(steps.map((step) => step.id));
    expect(chips.map((chip) => Number(chip.dataset.fragmentIndex))).toEqual([0, 1, 2, 3, 4, 5, 5, 5, 5, 5]);
    // The steps sharing the last fragment appear one after another: their replay order counts up from 0.
    expect(chips.slice(REPLAYED_STEPS).map((chip) => chip.style.getPropertyValue('--replay-order'))).toEqual(['0', '1', '2', '3', '4']);
    const panels = Array.from(root.querySelectorAll<HTMLElement>('.generation-step-panel'));
    expect(panels.map((panel) => Number(panel.dataset.step))).toEqual([0, 1, 2, 3, 4]);
    panels.forEach((panel, step) => {
      const rows = Array.from(panel.querySelectorAll<HTMLElement>('.generation-top5-row'));
      expect(rows.map((row) => Number(row.dataset.tokenId))).toEqual(steps[step].top5.map((candidate) => candidate.id));
      expect(rows.filter((row) => row.dataset.chosen === 'true').map((row) => Number(row.dataset.tokenId))).toEqual([steps[step].id]);
    });
    expect(replayedStepCount(6)).toBe(6);
    expect(replayFragmentOf(5, 6)).toBe(5);
    expect(replayedStepCount(7)).toBe(5);
  });

  it('has no fragment while the run streams: the live chips are never hidden', () => {
    const root = renderWithGeneration(generationSlide, real.trace, streamingCopy(real.generation, 3, null));
    expect(root.querySelectorAll('.fragment')).toHaveLength(0);
    expect(root.querySelectorAll('.generation-sequence .generated-chip')).toHaveLength(3);
  });

  it('keeps the generation replay’s fragment state when the slide is drawn again', () => {
    const { trace, generation } = real;
    const root = renderWithGeneration(generationSlide, trace, generation);
    showFragment(root, 2);
    const before = classesOf(root, '.fragment');
    // The run without the cache streams one more step: a new Generation, the same answer.
    redraw(generationSlide, root, trace, { ...generation, uncached: streamingCopy(generation, generation.cached.steps.length, 2).uncached });
    expect(classesOf(root, '.fragment')).toEqual(before);
    expect(root.querySelector<HTMLElement>('.generation-step-panel.current-fragment')?.dataset.step).toBe('2');
  });

  it('keeps the KV cache’s replay playing when the slide is drawn again', () => {
    const { trace, generation } = real;
    const root = renderWithGeneration(kvCache, trace, generation);
    const scope = () => root.querySelector<HTMLElement>('table.kv-rows.replay-scope')!;
    expect(scope()).not.toBeNull();
    showFragment(root, 0);
    redraw(kvCache, root, trace, { ...generation });
    expect(scope().classList.contains('visible')).toBe(true);
    // The rows in the cache's order: the prompt's at replay order 0, then each generated token's row.
    const rows = Array.from(root.querySelectorAll<HTMLElement>('tr.kv-row'));
    const generated = rows.filter((row) => row.dataset.kind === 'generated');
    expect(generated.map((row) => Number(row.dataset.tokenId))).toEqual(
      generated.map((row) => generation.cached.steps[Number(row.dataset.position) - generation.promptIds.length].id),
    );
    expect(rows.filter((row) => row.dataset.kind === 'prompt').every((row) => row.dataset.replayOrder === '0')).toBe(true);
    const orders = generated.map((row) => Number(row.dataset.replayOrder));
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(orders[0]).toBe(1);
  });
});
