// The knock-out inputs survive the fp16 rewrite (float16 weights and MatMuls, the masks and their Mul stay float32):
// all-ones masks give the fp16 graph's own plain output, a zero mask changes it.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';
import { createSession, runDecoder } from './onnx-session';
import { LENS_SWITCH_INPUT, STEP_TOP_SWITCH_INPUT, TRACE_SWITCH_INPUT } from '../../src/trace/output-names';

describe('knock-out inputs in an fp16 conversion', () => {
  it('runs with the masks: ones give the plain fp16 logits, a zeroed MLP moves them', async () => {
    const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 95, n_layer: 2, n_head: 4, n_embd: 32 });
    const feed = { inputIds: [[5, 12, 33, 9]], attentionMask: [[1, 1, 1, 1]], positionIds: [[0, 1, 2, 3]] };
    const plain = await runDecoder(await createSession(convertModel({ config, weights: bytes, dtype: 'fp16' })), config, feed);
    const masked = await createSession(convertModel({ config, weights: bytes, dtype: 'fp16', knockOut: true }));
    expect(masked.inputNames).toEqual(expect.arrayContaining(['head_mask', 'mlp_mask']));
    const run = (mlp: number[]) => {
      const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [1, rows[0].length]);
      const feeds: Record<string, ort.Tensor> = { input_ids: int64(feed.inputIds), attention_mask: int64(feed.attentionMask), position_ids: int64(feed.positionIds) };
      for (let layer = 0; layer < 2; layer++) for (const part of ['key', 'value']) feeds[`past_key_values.${layer}.${part}`] = new ort.Tensor('float32', new Float32Array(0), [1, 4, 0, 8]);
      feeds.head_mask = new ort.Tensor('float32', new Float32Array(8).fill(1), [2, 4]);
      feeds.mlp_mask = new ort.Tensor('float32', Float32Array.from(mlp), [2]);
      feeds[TRACE_SWITCH_INPUT] = new ort.Tensor('bool', Uint8Array.of(1), []);
      feeds[LENS_SWITCH_INPUT] = new ort.Tensor('bool', Uint8Array.of(1), []);
      feeds[STEP_TOP_SWITCH_INPUT] = new ort.Tensor('bool', Uint8Array.of(1), []);
      return masked.run(feeds);
    };
    expect((await run([1, 1])).logits.data).toEqual(plain.logits.data);
    expect((await run([1, 0])).logits.data).not.toEqual(plain.logits.data);
  });
});
