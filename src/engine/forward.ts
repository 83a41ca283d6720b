// One forward call as the deck makes it: the ids after a cache's positions, with the feeds the deck's graph takes
// (the knock-out masks, the trace switches), asking onnxruntime only for the outputs the call reads.
import { Tensor } from '@huggingface/transformers';
import type { KnockOut } from '../trace/knock-out';
import { isLogitLensOutput, isStepOutput, isStepTopOutput } from '../trace/output-names';
import { fetchingModel, type Forwardable } from './fetching-model';
import { knockOutFeeds } from './knock-out';
import type { LoadedModel } from './load-model';
import { traceSwitchFeeds } from './trace-switch';

/** What a forward call computes besides the logits and the cache. */
export interface ForwardOptions {
  knockOut?: KnockOut | null;
  /** Every output, trace outputs included. */
  allOutputs?: boolean;
  /** The logit lens (its outputs fetched with the step's). */
  lens?: boolean;
}

/** An int64 tensor. A plain loop: BigInt64Array.from(values, BigInt) costs ~2 µs for 40 values, six times this. */
export function int64(values: readonly number[], dims: number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new Tensor('int64', data, dims);
}

/** A [1, length] int64 tensor of ones (every position attended). */
function ones(length: number): Tensor {
  return new Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]);
}

/**
 * The model asking only for a step's outputs (the logits, the cache, the step's top 5; the lens's with `lens`):
 * onnxruntime then neither copies the trace outputs out of its memory (nor, on WebGPU, reads them back) nor keeps them.
 */
function stepModel(model: LoadedModel['model'], lens: boolean): Forwardable {
  return fetchingModel(model, lens ? 'step+lens' : 'step', (name) => isStepOutput(name) || isStepTopOutput(name) || (lens && isLogitLensOutput(name)));
}

/** One forward pass over `fresh`, the ids after the `past` cache's `offset` positions. */
export async function forward(loaded: LoadedModel, fresh: number[], offset: number, past: Record<string, Tensor> | null, options: ForwardOptions = {}): Promise<Record<string, Tensor>> {
  const { knockOut, allOutputs = false, lens = false } = options;
  const total = offset + fresh.length;
  const inputs: Record<string, unknown> = {
    input_ids: int64(fresh, [1, fresh.length]),
    attention_mask: ones(total),
    position_ids: int64(fresh.map((_, i) => offset + i), [1, fresh.length]),
  };
  if (past) inputs.past_key_values = past;
  Object.assign(inputs, knockOutFeeds(loaded, knockOut)); // ones for a model with the mask inputs, nothing for one without
  Object.assign(inputs, traceSwitchFeeds(loaded, allOutputs, allOutputs || lens, true)); // a step computes no trace output it does not read; its top 5 in the graph
  if (allOutputs) return (await loaded.model(inputs)) as Record<string, Tensor>;
  return (await stepModel(loaded.model, lens).forward(inputs)) as Record<string, Tensor>;
}

/** The logits at the last position of a forward pass's output. */
export function lastPositionLogits(outputs: Record<string, Tensor>): Float32Array {
  const logits = outputs.logits;
  const [, positions, vocab] = logits.dims;
  return (logits.data as Float32Array).slice((positions - 1) * vocab, positions * vocab);
}
