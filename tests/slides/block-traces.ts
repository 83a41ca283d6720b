// Traces for the transformer-block slide tests: every block tensor present (synthetic, consistent).
import { HOSTILE_TOKENS, makeTrace } from '../fixtures/synthetic-trace';
import type { Trace } from '../../src/trace';

const LONG_WORDS = ['The', ' State', ' of', ' the', ' Union', ' is', ' strong', '.', '\n'];

export function blockTraces(): Record<'plain' | 'oneToken' | 'hostile' | 'long', Trace> {
  return {
    plain: makeTrace({ blockTensors: true, nLayer: 2, nHead: 4 }),
    oneToken: makeTrace({ tokens: ['Hi'], blockTensors: true }),
    hostile: makeTrace({ tokens: HOSTILE_TOKENS, blockTensors: true, seed: 3 }),
    // The context limit: 256 tokens, 44 more dropped from the left.
    long: makeTrace({ tokens: Array.from({ length: 256 }, (_, i) => LONG_WORDS[i % LONG_WORDS.length]), blockTensors: true, nLayer: 2, nHead: 2, seed: 7, droppedTokens: 44 }),
  };
}

/** A block-tensor Trace without the outputs whose names end with one of `suffixes`. */
export function traceWithout(...suffixes: string[]): Trace {
  return makeTrace({ blockTensors: true, omit: (name) => suffixes.some((suffix) => name.endsWith(suffix)) });
}

/** Recomputed independently of src/maths, for comparisons with the slides' hooks. */
export function l2(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] ** 2;
  return Math.sqrt(sum);
}

export function click(element: Element | null | undefined): void {
  if (!element) throw new Error('nothing to click');
  element.dispatchEvent(new Event('click', { bubbles: true }));
}
