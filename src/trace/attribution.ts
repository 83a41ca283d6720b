// Reading trace.attribution: each component's name for the audience, and the components ranked by size,
// the smallest folded into one "others" total so a deep model's hundreds of heads fit a slide.
import type { AttributionComponent, LogitAttribution, Trace } from './types';

/** "layer 2 · head 3", "MLP 1", "token embedding", "position embedding", "attention bias 2", "final norm bias" (0-based, as the attention slides count). */
export function componentLabel(component: Pick<AttributionComponent, 'kind' | 'layer' | 'head'>): string {
  switch (component.kind) {
    case 'embed':
      return 'token embedding';
    case 'pos':
      return 'position embedding';
    case 'head':
      return `layer ${component.layer} · head ${component.head}`;
    case 'mlp':
      return `MLP ${component.layer}`;
    case 'bias':
      return component.layer === null ? 'final norm bias' : `attention bias ${component.layer}`;
  }
}

export interface RankedContributions {
  /** The largest by absolute value, largest first. */
  shown: AttributionComponent[];
  /** The rest, summed (0 and count 0 when every component is shown). */
  others: { value: number; count: number };
}

/** The `count` largest components by |value| (ties keep forward order), the rest summed. */
export function rankContributions(components: readonly AttributionComponent[], count: number): RankedContributions {
  const ranked = components.map((component, index) => ({ component, index })).sort((a, b) => Math.abs(b.component.value) - Math.abs(a.component.value) || a.index - b.index);
  const shown = ranked.slice(0, Math.max(0, count)).map((entry) => entry.component);
  const rest = ranked.slice(shown.length);
  return { shown, others: { value: rest.reduce((sum, entry) => sum + entry.component.value, 0), count: rest.length } };
}

/** The chosen variant: the top token's logit, or its gap over the runner-up (when there is one). */
export function attributionVariant(trace: Trace, measure: 'logit' | 'gap'): LogitAttribution | null {
  const attribution = trace.attribution;
  if (!attribution) return null;
  return measure === 'gap' && attribution.gap ? attribution.gap : attribution.logit;
}
