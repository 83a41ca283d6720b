// The check every Llama-graph family (Llama, Qwen2, Mistral) passes: the converted graph, run in onnxruntime-node,
// against the float64 reference on logits and every trace output, in one pass and as a second chunk fed the KV cache,
// with and without a left-padded row.
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { allTraceOutputs, logitLensOutputs, logitsLogSumExpOutput } from '../../src/trace/output-names';
import { isAttributionOutput } from '../../src/engine/attribution';
import { mismatches, REFERENCE_BATCH } from './compare';
import { createSession, runDecoder } from './onnx-session';
import { makeRandomLlamaCheckpoint, type LlamaCheckpointOptions } from './random-checkpoint';
import { positionIdsFromMask } from './reference-gpt2';
import { referenceLlamaForward } from './reference-llama';

export interface ReferenceCase {
  label: string;
  options: LlamaCheckpointOptions;
  /** Added to every position id, to test RoPE away from position 0. */
  firstPosition: number;
}

const { inputIds, attentionMask: padded } = REFERENCE_BATCH;
const unpadded = padded.map((row) => row.map(() => 1));

/** Declares, for each case, the one-pass and the cached-chunk comparisons with and without padding. */
export function describeAgainstReference(family: string, cases: ReferenceCase[]): void {
  describe.each(cases)(`converted ${family}: $label`, ({ options, firstPosition }) => {
    const checkpoint = makeRandomLlamaCheckpoint(options);
    const { config, parameters } = checkpoint;
    const traceNames = allTraceOutputs(config.num_hidden_layers as number, { learnedPositions: false });
    const nHead = config.num_attention_heads as number;
    const kvHeads = (config.num_key_value_heads as number | undefined) ?? nHead;
    const headDim = (config.head_dim as number | undefined) ?? (config.hidden_size as number) / nHead;
    let session: ort.InferenceSession;
    beforeAll(async () => {
      session = await createSession(convertModel({ config, weights: checkpoint.bytes }));
    });

    describe.each([
      ['without padding', unpadded],
      ['with a left-padded row', padded],
    ])('%s', (_label, attentionMask) => {
      const positionIds = positionIdsFromMask(attentionMask).map((row) => row.map((position) => position + firstPosition));
      const reference = referenceLlamaForward(config, parameters, { inputIds, attentionMask, positionIds });
      const T = inputIds[0].length;

      it('matches the reference on logits and every trace output in one pass', async () => {
        const outputs = await runDecoder(session, config, { inputIds, attentionMask, positionIds });
        expect(Object.keys(outputs).filter((name) => name.startsWith('trace.') && !isAttributionOutput(name)).sort()).toEqual([...traceNames, ...Object.values(logitLensOutputs), logitsLogSumExpOutput].sort()); // the lens: tests/engine/graph-lens.test.ts; the attribution's: tests/engine/attribution.test.ts
        expect(mismatches(outputs, reference, traceNames, 0, T)).toEqual([]);
      });

      it('gives the same second chunk with a KV cache as a single full pass', async () => {
        const split = 4;
        const first = await runDecoder(session, config, {
          inputIds: inputIds.map((row) => row.slice(0, split)),
          attentionMask: attentionMask.map((row) => row.slice(0, split)),
          positionIds: positionIds.map((row) => row.slice(0, split)),
        });
        const second = await runDecoder(session, config, {
          inputIds: inputIds.map((row) => row.slice(split)),
          attentionMask,
          positionIds: positionIds.map((row) => row.slice(split)),
          past: first,
        });
        // The cache keeps the key/value heads; the attn.k trace is expanded to the query heads.
        expect(second['present.0.key'].dims).toEqual([2, kvHeads, T, headDim]);
        expect(second['trace.layer.0.attn.k'].dims).toEqual([2, nHead, T, headDim]);
        expect(mismatches(second, reference, traceNames, split, T, attentionMask)).toEqual([]);
      });
    });
  });
}

/** The reference logits for the unpadded batch, for checks that a feature (biases, a window) changes the output. */
export function referenceLogits(config: Record<string, unknown>, parameters: Map<string, { shape: number[]; data: Float32Array }>): Float64Array {
  return referenceLlamaForward(config, parameters, { inputIds, attentionMask: unpadded, positionIds: positionIdsFromMask(unpadded) }).logits.data;
}

export const maxAbsDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};
