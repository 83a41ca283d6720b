// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import titleSlide from '../../slides/01-title';
import { makeTrace } from '../fixtures/synthetic-trace';
import { renderSlide } from './render-slide';

afterEach(() => document.body.replaceChildren());

const LONG = Array.from({ length: 12 }, (_, i) => `Sentence number ${i + 1} of a long prompt about the union.`).join(' ');

describe('title slide prompt field', () => {
  it('shows a short prompt as it is, with no summary', () => {
    const root = renderSlide(titleSlide, makeTrace({ prompt: 'The Congress should' }));
    expect(root.querySelector<HTMLElement>('.title-prompt-box')?.dataset.long).toBe('false');
    expect(root.querySelector('.title-prompt-summary')?.textContent).toBe('');
    expect(root.querySelector('.title-prompt-print')?.textContent).toBe('The Congress should');
  });

  it('summarises a long prompt (first and last words, the characters between counted) and prints it in full', () => {
    const root = renderSlide(titleSlide, makeTrace({ prompt: LONG }));
    expect(root.querySelector<HTMLElement>('.title-prompt-box')?.dataset.long).toBe('true');
    const summary = root.querySelector('.title-prompt-summary')!.textContent!;
    expect(summary.startsWith('Sentence number 1 of a long prompt')).toBe(true);
    expect(summary.endsWith('about the union.')).toBe(true);
    const [head, tail] = summary.split(/ … [\d,]+ more characters … /);
    const more = Number(/… ([\d,]+) more characters/.exec(summary)![1].replace(/,/g, ''));
    expect(head.length + more + tail.length).toBe(LONG.length);
    expect(root.querySelector('.title-prompt-print')?.textContent).toBe(LONG);
  });

  it('follows the field as the presenter types', () => {
    const root = renderSlide(titleSlide, makeTrace({ prompt: 'Hi' }));
    const field = root.querySelector<HTMLTextAreaElement>('textarea.title-prompt')!;
    field.value = LONG;
    field.dispatchEvent(new Event('input'));
    expect(root.querySelector<HTMLElement>('.title-prompt-box')?.dataset.long).toBe('true');
  });
});
