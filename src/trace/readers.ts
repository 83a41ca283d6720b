// Typed readers of a Trace for views: each returns the values a slide shows, or what is missing and why,
// so slides never index trace.tensors by hand nor re-derive what the engine could not compute.
import { EVERY_LENS_STAGE, logitLensStages } from './logit-lens';
import { embedOutputs, finalNormOutput, layerOutput } from './output-names';
import { tensorRow } from './tensors';
import type { Generation } from './generation';
import type { LogitLensRow, MissingPart, Trace, TraceTensor } from './types';

/** A reading that failed: the outputs the Trace lacks (empty when present but misshapen), and the problem in words. */
export interface Unreadable {
  ok: false;
  missing: string[];
  problem: string;
}

/** An output a reader needs and the shape it must have (null: any size on that axis). */
export interface TensorNeed {
  name: string;
  shape: (number | null)[];
}

/** Why a Trace lacks an output: the engine lists what the model's graph does not expose in trace.missing. */
export function whyMissing(trace: Trace, name: string): string {
  return trace.missing.includes(name) ? "the model's graph does not expose it" : 'this Trace does not hold it';
}

/** Each of `names` the Trace lacks, with why. */
export function missingOutputs(trace: Trace, names: readonly string[]): MissingPart[] {
  return names.filter((name) => !trace.tensors[name]).map((name) => ({ part: name, needs: name, reason: whyMissing(trace, name) }));
}

function fits(tensor: TraceTensor, shape: (number | null)[]): boolean {
  if (tensor.shape.length !== shape.length) return false;
  if (!shape.every((size, axis) => size === null || tensor.shape[axis] === size)) return false;
  return tensor.data.length === tensor.shape.reduce((a, b) => a * b, 1);
}

/** Every need present with its shape, or the first problem in words (missing names listed). */
export function readTensors(trace: Trace, needs: readonly TensorNeed[], purpose: string): { ok: true; tensors: Record<string, TraceTensor> } | Unreadable {
  const missing = needs.filter((need) => !trace.tensors[need.name]).map((need) => need.name);
  if (missing.length > 0) {
    return { ok: false, missing, problem: `This model's graph does not expose ${missing.join(', ')}, so there is nothing real to show for ${purpose}.` };
  }
  const tensors: Record<string, TraceTensor> = {};
  for (const need of needs) {
    const tensor = trace.tensors[need.name];
    if (!fits(tensor, need.shape)) {
      const expected = need.shape.map((size) => (size === null ? '?' : String(size))).join(', ');
      return { ok: false, missing: [], problem: `${need.name} has shape [${tensor.shape.join(', ')}]; this slide expects [${expected}].` };
    }
    tensors[need.name] = tensor;
  }
  return { ok: true, tensors };
}

export interface AttentionWeights {
  ok: true;
  name: string;
  /** Queries and keys: the prompt's tokens. */
  tokens: number;
  /** The weights query `query` gives every key (masked keys hold 0). */
  row: (query: number) => Float32Array;
  at: (query: number, key: number) => number;
}

/** One head's attention probabilities, trace.layer.L.attn.probs[head], as a tokens × tokens matrix. */
export function attentionWeights(trace: Trace, layer: number, head: number): AttentionWeights | Unreadable {
  const n = trace.tokens.length;
  const name = layerOutput(layer, 'attn.probs');
  const read = readTensors(trace, [{ name, shape: [null, n, n] }], `the attention weights of layer ${layer}`);
  if (!read.ok) return read;
  const probs = read.tensors[name];
  if (head < 0 || head >= probs.shape[0]) return { ok: false, missing: [], problem: `${name} has ${probs.shape[0]} heads; there is no head ${head}.` };
  const row = (query: number) => tensorRow(probs, head, query);
  return { ok: true, name, tokens: n, row, at: (query, key) => row(query)[key] };
}

export interface HeadVectors {
  ok: true;
  /** This token's query, key and value in one head (length headDim); for Llama, q and k after RoPE. */
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

/** The query, key and value one head computes for one token of the prompt. */
export function headVectors(trace: Trace, layer: number, head: number, token: number): HeadVectors | Unreadable {
  const shape = [trace.model.nHead, trace.tokens.length, trace.model.headDim];
  const names = { q: layerOutput(layer, 'attn.q'), k: layerOutput(layer, 'attn.k'), v: layerOutput(layer, 'attn.v') };
  const read = readTensors(trace, [names.q, names.k, names.v].map((name) => ({ name, shape })), `the query, key and value of layer ${layer}`);
  if (!read.ok) return read;
  const row = (name: string) => tensorRow(read.tensors[name], head, token);
  return { ok: true, q: row(names.q), k: row(names.k), v: row(names.v) };
}

export interface ResidualStreamStage {
  /** The layer the stage follows; null for the embeddings and the final norm. */
  layer: number | null;
  after: 'embeddings' | 'attention' | 'feed-forward' | 'final norm';
  name: string;
}

/** The residual stream after every sub-layer, in forward order, then the final norm's output (the LM head's input). */
export function residualStreamStages(nLayer: number): ResidualStreamStage[] {
  const stages: ResidualStreamStage[] = [{ layer: null, after: 'embeddings', name: embedOutputs.sum }];
  for (let layer = 0; layer < nLayer; layer++) {
    stages.push({ layer, after: 'attention', name: layerOutput(layer, 'resid.after_attn') });
    stages.push({ layer, after: 'feed-forward', name: layerOutput(layer, 'resid.after_mlp') });
  }
  stages.push({ layer: null, after: 'final norm', name: finalNormOutput });
  return stages;
}

/** One token's residual stream at every stage (vectors of width nEmbd). */
export function residualStream(trace: Trace, token: number): { ok: true; stages: (ResidualStreamStage & { vector: Float32Array })[] } | Unreadable {
  const stages = residualStreamStages(trace.model.nLayer);
  const shape = [trace.tokens.length, trace.model.nEmbd];
  const read = readTensors(trace, stages.map((stage) => ({ name: stage.name, shape })), 'the residual stream');
  if (!read.ok) return read;
  return { ok: true, stages: stages.map((stage) => ({ ...stage, vector: tensorRow(read.tensors[stage.name], token) })) };
}

export interface LogitLensReading {
  rows: LogitLensRow[];
  /** Stages without a row, each with what it needed and why; or the weights that stopped every stage. */
  missing: MissingPart[];
  /** The lens is left to the answer, which has not brought it yet (rows and missing are empty). */
  pending: boolean;
}

/**
 * The logit lens's rows and what is missing from it: the Trace's own, or the answer's when the Trace
 * left the lens to it (trace.extras.logitLensFromAnswer). A stage without a row takes the engine's recorded reason
 * (trace.extras.logitLensMissing); null when the Trace has no extras (the weights were unreadable).
 */
export function logitLensReading(trace: Trace, generation?: Generation | null): LogitLensReading | null {
  const extras = trace.extras;
  if (!extras) return null;
  const fromAnswer = extras.logitLensFromAnswer === true;
  const rows = fromAnswer ? (generation?.logitLens ?? null) : extras.logitLens;
  if (rows === null) return { rows: [], missing: [], pending: true };
  const recorded = extras.logitLensMissing ?? []; // absent from a Trace saved as JSON before the field existed
  const everyStage = recorded.filter((m) => m.part === EVERY_LENS_STAGE);
  if (everyStage.length > 0) return { rows, missing: everyStage, pending: false };
  const shown = new Set(rows.map((row) => row.label));
  const missing = logitLensStages(trace.model.nLayer)
    .filter((stage) => !shown.has(stage.label))
    .map((stage) => recorded.find((m) => m.part === stage.label) ?? { part: stage.label, needs: stage.output, reason: 'this Trace holds no row for it' });
  return { rows, missing, pending: false };
}
