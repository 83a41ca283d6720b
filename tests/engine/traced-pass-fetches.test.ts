// The traced pass asks the session only for what it computes: onnxruntime copies every output it is asked for
// (~8 µs each in WASM), and a step's top 5 (switched off) and, when the answer computes it, the lens give nothing.
import type { Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { int64 } from '../../src/engine/forward';
import { knockOutFeeds } from '../../src/engine/knock-out';
import type { LoadedModel } from '../../src/engine/load-model';
import { tokenize, tracedPassModel } from '../../src/engine/run-trace';
import { traceSwitchFeeds } from '../../src/engine/trace-switch';
import { isLogitLensOutput, isStepTopOutput } from '../../src/trace/output-names';

let loaded: LoadedModel;
beforeAll(async () => {
  loaded = await loadModelInNode('sotu-gpt');
});

describe('the traced pass\'s fetches', () => {
  const run = async (lens: boolean, asked: 'lean' | 'every') => {
    const ids = tokenize(loaded, 'The Congress should');
    const inputs = { input_ids: int64(ids, [1, ids.length]), attention_mask: int64(ids.map(() => 1), [1, ids.length]), ...knockOutFeeds(loaded, null), ...traceSwitchFeeds(loaded, true, lens) };
    return (await (asked === 'lean' ? tracedPassModel(loaded, lens).forward(inputs) : loaded.model(inputs))) as Record<string, Tensor>;
  };

  it('leaves out a step\'s top 5, and the lens unless asked, and gives the rest as asking for every output does', async () => {
    const every = await run(false, 'every');
    for (const lens of [false, true]) {
      const lean = await run(lens, 'lean');
      const expected = Object.keys(every).filter((name) => !isStepTopOutput(name) && (lens || !isLogitLensOutput(name)));
      expect(Object.keys(lean).sort()).toEqual(expected.sort());
      expect(Object.keys(lean).some((name) => name.startsWith('trace.layers.'))).toBe(true);
      expect(Object.keys(lean).some(isLogitLensOutput)).toBe(lens);
    }
    const lean = await run(false, 'lean');
    for (const name of Object.keys(lean)) expect(lean[name].data).toEqual(every[name].data);
  });
});
