// The compact JSON form of a Trace that `npm run trace -- --json` prints and the browser tests compare.
import { layerOutput } from '../trace/output-names';
import type { Trace } from '../trace';

/** Attention probabilities as nested arrays [layer][head][query][key]. */
export function attentionArrays(trace: Trace): number[][][][] {
  const layers: number[][][][] = [];
  for (let layer = 0; layer < trace.model.nLayer; layer++) {
    const probs = trace.tensors[layerOutput(layer, 'attn.probs')];
    if (!probs) break;
    const [heads, queries, keys] = probs.shape;
    layers.push(
      Array.from({ length: heads }, (_, h) =>
        Array.from({ length: queries }, (_, q) => Array.from(probs.data.subarray((h * queries + q) * keys, (h * queries + q + 1) * keys))),
      ),
    );
  }
  return layers;
}

export function traceSummaryJson(trace: Trace) {
  return {
    model: trace.model.name,
    backend: trace.backend,
    prompt: trace.prompt,
    /** What the model read: the chat template's rendering ('model'), or the prompt as typed ('none'). */
    template: trace.chat.template,
    templated: trace.chat.templated,
    droppedTokens: trace.droppedTokens,
    tokens: trace.tokens.map((t) => t.text),
    pieces: trace.tokens.map((t) => t.piece),
    ids: trace.tokens.map((t) => t.id),
    special: trace.tokens.map((t) => t.special),
    topk: trace.topk.map(({ id, token, prob }) => ({ id, token, prob })),
    attention: attentionArrays(trace),
    missing: trace.missing,
    timings: trace.timings,
  };
}
