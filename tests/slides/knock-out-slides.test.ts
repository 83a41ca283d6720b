// @vitest-environment happy-dom
// The knock-out from the slides that set it besides who-voted (issue 14 item 2): the multi-head slide's
// "switch off" under each head and the tower's buttons for a block's attention and feed-forward write the
// deck's one `ablate`; under a knocked-out Trace (the embedded model run without those parts, in Node) they
// say what is off with the before/after and "switch all back on", and the generation slides say their answer
// is the knocked-out model's.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import multiHead from '../../slides/14-multi-head';
import tower from '../../slides/10-transformer-tower';
import whoVoted from '../../slides/19b-who-voted';
import generationSlide from '../../slides/21-generation';
import completeResponse from '../../slides/27-complete-response';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generate } from '../../src/engine/generate';
import { runTrace } from '../../src/engine/run-trace';
import { softmax } from '../../src/maths/softmax';
import { parseKnockOut, type Generation, type Trace } from '../../src/trace';
import { formatPercent } from '../../src/viz/format';
import { notesOf, renderInto, renderSlide, resetViews, setViewOf, viewOf } from './render-slide';

/** Draws a slide with a Generation in its context and its view, as the deck would. */
function renderWithGeneration(slide: Parameters<typeof renderInto>[0], trace: Trace, generation: Generation): HTMLElement {
  const root = document.createElement('section');
  document.body.append(root);
  renderInto(slide, root, { trace, waitingMessage: '', generation });
  return root;
}

const PROMPT = 'The Congress should';
let plain: Trace;
let knocked: Trace;
let knockedGeneration: Generation;

beforeAll(async () => {
  const loaded = await loadModelInNode('sotu-gpt');
  plain = await runTrace(loaded, PROMPT);
  const knockOut = parseKnockOut('0.1');
  knocked = await runTrace(loaded, PROMPT, { knockOut });
  const promptIds = knocked.tokens.map((token) => token.id);
  const steps = await generate(loaded, promptIds, { maxNewTokens: 5, useCache: true, stopAtEndOfText: false, knockOut });
  knockedGeneration = {
    prompt: PROMPT,
    promptIds,
    sampling: { temperature: 0, topK: 0, topP: 1 },
    seed: 0,
    maxNewTokens: 5,
    stopIds: [],
    cached: { useCache: true, steps, done: true, stoppedBy: 'limit' },
    uncached: null,
    uncachedLimit: 5,
    prefixReuse: null,
  };
  await loaded.model.dispose();
}, 120_000);

afterEach(() => {
  resetViews();
  document.body.replaceChildren();
});

describe('switching parts off from the multi-head slide and the tower', () => {
  it('the multi-head slide: a head\'s button writes the deck\'s knock-out, then shows running, then before and after', () => {
    const root = renderSlide(multiHead, plain);
    expect(root.querySelector('.ko-status')).toBeNull(); // nothing off: the usual lead
    const buttons = [...root.querySelectorAll<HTMLButtonElement>('figure.tb-head button.ko-toggle')];
    expect(buttons.map((button) => button.dataset.part)).toEqual(['0.0', '0.1', '0.2', '0.3']);
    buttons[1].click();
    expect(viewOf(whoVoted).ablate).toBe('0.1'); // one knock-out for the deck
    const pending = renderSlide(multiHead, plain);
    expect(pending.querySelector<HTMLElement>('.ko-status')!.dataset.state).toBe('pending');
    expect(pending.querySelector('figure.tb-head[data-head="1"]')!.classList.contains('ko-off')).toBe(true);
    expect(pending.querySelector('.tb-overview-cell[data-layer="0"][data-head="1"]')!.classList.contains('ko-off')).toBe(true);

    const done = renderSlide(multiHead, knocked);
    const status = done.querySelector<HTMLElement>('.ko-status')!;
    expect(status.dataset.state).toBe('done');
    const top = plain.topk[0];
    const after = softmax(knocked.lastLogits)[top.id];
    expect(after).not.toBeCloseTo(top.prob, 6); // the knock-out moved it
    expect(status.querySelector('.ko-before-after')!.textContent).toBe(
      `Without layer 0 · head 1, ${JSON.stringify(top.token)} ${after < top.prob ? 'falls' : 'rises'} from ${formatPercent(top.prob)} to ${formatPercent(after)}.`,
    );
    expect(done.querySelector('figure.tb-head[data-head="1"] button.ko-toggle')!.getAttribute('aria-pressed')).toBe('true');
    // The notes quote it too, on this slide and the tower.
    for (const slide of [multiHead, tower]) expect(notesOf(slide, { trace: knocked, waitingMessage: '' })).toContain(status.querySelector('.ko-before-after')!.textContent!);
    expect(notesOf(multiHead, { trace: plain, waitingMessage: '' })).not.toContain('Without');
    done.querySelector<HTMLButtonElement>('button.ko-restore')!.click();
    expect(viewOf(whoVoted).ablate).toBe('');
  });

  it('the tower: the open block\'s attention switches all its heads, its feed-forward its MLP, and the block is marked', () => {
    setViewOf(tower, { layer: 2 });
    const root = renderSlide(tower, plain);
    root.querySelector<HTMLButtonElement>('.ko-block-row button.ko-toggle[data-part="attn2"]')!.click();
    expect(viewOf(whoVoted).ablate).toBe('2.0,2.1,2.2,2.3');
    const again = renderSlide(tower, plain);
    again.querySelector<HTMLButtonElement>('.ko-block-row button.ko-toggle[data-part="mlp2"]')!.click();
    expect(viewOf(whoVoted).ablate).toBe('2.0,2.1,2.2,2.3,mlp2');
    const marked = renderSlide(tower, plain);
    expect([...marked.querySelectorAll<SVGGElement>('.tb-tower-block')].filter((block) => block.dataset.knockedOut === 'true').map((block) => block.dataset.layer)).toEqual(['2']);
    marked.querySelector<HTMLButtonElement>('.ko-block-row button.ko-toggle[data-part="attn2"]')!.click(); // all heads back on
    expect(viewOf(whoVoted).ablate).toBe('mlp2');
  });
});

describe('the generation slides under a knock-out', () => {
  it('say the answer is the knocked-out model\'s, on the slide and in the notes; nothing without one', () => {
    const sentence = 'Written by the model without layer 0 · head 1 (switched off).';
    const generation = renderWithGeneration(generationSlide, knocked, knockedGeneration);
    expect(generation.querySelector('.ko-answer')!.textContent).toBe(sentence);
    expect(notesOf(generationSlide, { trace: knocked, waitingMessage: '', generation: knockedGeneration })).toContain(sentence);
    const response = renderWithGeneration(completeResponse, knocked, knockedGeneration);
    expect(response.querySelectorAll('.ko-answer')).toHaveLength(1);
    expect(notesOf(completeResponse, { trace: knocked, waitingMessage: '', generation: knockedGeneration })).toContain(sentence);
    expect(renderWithGeneration(generationSlide, plain, { ...knockedGeneration }).querySelector('.ko-answer')).toBeNull();
    expect(renderWithGeneration(completeResponse, plain, knockedGeneration).querySelector('.ko-answer')).toBeNull();
  });
});
