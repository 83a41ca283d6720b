// The graph's log-sum-exp of the logits (ReduceLogSumExp), which the engine subtracts from a token's logit to get its
// log-probability, equals the float64 JavaScript one at every position.
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { logSumExp } from '../../src/maths/softmax';
import { logitsLogSumExpOutput } from '../../src/trace/output-names';
import { createSession, runDecoder } from './onnx-session';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from './random-checkpoint';

describe.each([
  ['GPT-2', () => makeRandomGpt2Checkpoint({ seed: 41, n_layer: 2, n_head: 4, n_embd: 32 })],
  ['Llama', () => makeRandomLlamaCheckpoint({ seed: 42 })],
])('the logits log-sum-exp of a converted %s', (_, make) => {
  it('equals the JavaScript one at every position, within 1e-5; a plain conversion has none', async () => {
    const { config, bytes } = make();
    const outputs = await runDecoder(await createSession(convertModel({ config, weights: bytes })), config, {
      inputIds: [[5, 12, 33, 9, 2]],
      attentionMask: [[1, 1, 1, 1, 1]],
      positionIds: [[0, 1, 2, 3, 4]],
    });
    const [, positions, vocab] = outputs.logits.dims as number[];
    const logits = outputs.logits.data as Float32Array;
    const inGraph = outputs[logitsLogSumExpOutput];
    expect(inGraph.dims).toEqual([1, positions]);
    for (let i = 0; i < positions; i++) {
      expect(Math.abs((inGraph.data as Float32Array)[i] - logSumExp(logits.subarray(i * vocab, (i + 1) * vocab)))).toBeLessThan(1e-5);
    }
    const plain = await createSession(convertModel({ config, weights: bytes, traceOutputs: false }));
    expect(plain.outputNames).not.toContain(logitsLogSumExpOutput);
  });
});
