// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import fineTuning from '../../slides/25-fine-tuning';
import { FIXTURE_MODEL_NAME, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

describe('fine-tuning slide', () => {
  it('draws the four stages and says it computes nothing', () => {
    const root = renderSlide(fineTuning, makeTrace());
    const body = root.querySelector<HTMLElement>('.fine-tuning-body');
    expect(body?.dataset.liveComputation).toBe('none');
    expect(body?.dataset.modelName).toBe(FIXTURE_MODEL_NAME);
    const stages = Array.from(root.querySelectorAll('[data-stage]'), (g) => g.getAttribute('data-stage'));
    expect(stages).toEqual(['pretrained', 'sft', 'reward-model', 'ppo', 'assistant', 'dpo']);
    const notice = root.querySelector('.fine-tuning-notice')?.textContent ?? '';
    expect(notice).toContain('No live computation');
    expect(notice).toContain(`${FIXTURE_MODEL_NAME} was only pre-trained`);
    for (const words of ['SFT', 'Reward model', 'PPO', 'KL', 'DPO']) expect(root.textContent).toContain(words);
    expect(root.querySelectorAll('.stage-arrow').length).toBeGreaterThanOrEqual(6);
  });

  it('renders without a Trace, naming no model', () => {
    const root = renderSlide(fineTuning, null);
    expect(root.querySelector<HTMLElement>('.fine-tuning-body')?.dataset.modelName).toBeUndefined();
    expect(root.querySelector('.fine-tuning-notice')?.textContent).toContain('this project’s model was only pre-trained');
    expect(root.querySelectorAll('[data-stage]')).toHaveLength(6);
    expect(notesOf(fineTuning, { trace: null, waitingMessage: WAITING })).toContain('Nothing on this slide is computed');
  });

  it('puts a hostile model name in as text', () => {
    const trace = makeTrace();
    trace.model = { ...trace.model, name: '<img src=x onerror=alert(1)>' };
    const root = renderSlide(fineTuning, trace);
    expect(tagNames(root).has('img')).toBe(false);
    expect(root.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(notesOf(fineTuning, { trace, waitingMessage: WAITING })).toContain('<img src=x onerror=alert(1)> was only pre-trained');
  });
});
