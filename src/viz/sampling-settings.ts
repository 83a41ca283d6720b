// The sampling settings the presenter chooses on the sampling slide, which the last slide's Sample
// button answers with: one view the deck keeps for both slides (viewId 'sampling'), its defaults,
// and the ranges of the sampling slide's controls.
import type { SamplingSettings } from '../maths/sampling';

export interface SamplingView extends SamplingSettings {
  seed: number;
}

export const SAMPLING_VIEW_ID = 'sampling';

export const DEFAULT_SAMPLING_VIEW: SamplingView = { temperature: 0.8, topK: 40, topP: 0.95, seed: 42 };

function clampNumber(value: number, low: number, high: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : fallback;
}

/** The view's settings, clamped to the ranges of the controls (a value that is no number: its default). */
export function clampSamplingView(view: SamplingView): SamplingView {
  return {
    temperature: clampNumber(view.temperature, 0, 2, DEFAULT_SAMPLING_VIEW.temperature),
    topK: Math.round(clampNumber(view.topK, 0, 50, DEFAULT_SAMPLING_VIEW.topK)),
    topP: clampNumber(view.topP, 0, 1, DEFAULT_SAMPLING_VIEW.topP),
    seed: Math.trunc(clampNumber(view.seed, 0, 0xffffffff, DEFAULT_SAMPLING_VIEW.seed)),
  };
}
