// @vitest-environment happy-dom
// The precision that runs is said where the backend is: the status badge ("WebGPU · fp16 · …") and the title slide.
import { describe, expect, it } from 'vitest';
import titleSlide from '../../slides/01-title';
import { createStatusBadge } from '../../src/deck/status-badge';
import { makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide } from '../slides/render-slide';
import { READY_STATE } from './engine-state';

const fp16Trace = () => {
  const trace = makeTrace();
  return { ...trace, backend: 'webgpu' as const, model: { ...trace.model, precision: 'fp16' as const } };
};

describe('the precision on screen', () => {
  it('the badge names backend then precision once the model is loaded', () => {
    const badge = createStatusBadge();
    const trace = fp16Trace();
    badge.update({ ...READY_STATE, backend: 'webgpu', model: trace.model, trace });
    expect(badge.element.querySelector('.status-summary')!.textContent).toMatch(/^WebGPU · fp16 · sotu-gpt · /);
    expect(badge.element.dataset.precision).toBe('fp16');
    badge.update({ ...READY_STATE, phase: 'loading', model: null });
    expect(badge.element.querySelector('.status-summary')!.textContent).toMatch(/^WASM · sotu-gpt · loading/);
  });

  it('the title slide and its notes say it', () => {
    const trace = fp16Trace();
    const root = renderSlide(titleSlide, trace);
    expect(root.querySelector('[data-title-model]')!.textContent).toMatch(/running on WebGPU · fp16\.$/);
    expect(notesOf(titleSlide, { trace, waitingMessage: '' })).toContain('on WebGPU in fp16');
  });
});
