// Checks every transformer-block slide must pass, run from each slide's own test file.
import { expect, it } from 'vitest';
import type { SlideModule } from '../../slides/slide';
import { makeTrace } from '../fixtures/synthetic-trace';
import { blockTraces, traceWithout } from './block-traces';
import { notesOf, renderInto, renderSlide, tagNames, WAITING } from './render-slide';

export interface CommonCheckOptions {
  /** A tensor-name suffix the slide cannot do without, and the full name its message must give. */
  missingSuffix: string;
  missingName: string;
}

export function commonSlideChecks(slide: SlideModule, options: CommonCheckOptions): void {
  const traces = blockTraces();

  it.each(Object.entries(traces))('renders the %s trace without a missing-output message', (_, trace) => {
    const root = renderSlide(slide, trace);
    expect(root.querySelector('.live-title')?.textContent).toBe(slide.title);
    expect(root.querySelector('.live-missing')).toBeNull();
    expect(notesOf(slide, { trace, waitingMessage: WAITING }).length).toBeGreaterThan(20);
  });

  it('shows the waiting message without a Trace, and clears its hooks', () => {
    const root = renderSlide(slide, traces.plain);
    root.dataset.live = slide.id;
    renderInto(slide, root, { trace: null, waitingMessage: WAITING });
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(root.dataset.layer).toBeUndefined();
    expect(root.dataset.query).toBeUndefined();
    expect(root.dataset.live).toBe(slide.id);
    expect(notesOf(slide, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });

  it('renders token text as text, never as elements', () => {
    const root = renderSlide(slide, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
  });

  it('names the missing output when the graph lacks what it needs', () => {
    const trace = traceWithout(options.missingSuffix);
    const root = renderSlide(slide, trace);
    expect(root.querySelector('.live-missing')?.textContent).toContain(options.missingName);
    expect(notesOf(slide, { trace, waitingMessage: WAITING })).toContain(options.missingName);
  });

  it('says so for a Trace with only attention weights, and for one without tokens', () => {
    const bare = makeTrace({ nLayer: 3 }); // the original fixture: attn.probs only
    expect(() => renderSlide(slide, bare)).not.toThrow();
    const empty = { ...makeTrace({ blockTensors: true }), tokens: [] };
    const root = renderSlide(slide, empty);
    expect(root.querySelector('.live-missing')).not.toBeNull();
    expect(() => notesOf(slide, { trace: empty, waitingMessage: WAITING })).not.toThrow();
  });

  it('does not throw for tensors of an unexpected shape', () => {
    const trace = makeTrace({ blockTensors: true });
    for (const name of Object.keys(trace.tensors)) trace.tensors[name] = { shape: [2, 3], data: new Float32Array(6) };
    const root = renderSlide(slide, trace);
    expect(root.querySelector('.live-missing')?.textContent).toContain('[2, 3]');
  });
}
