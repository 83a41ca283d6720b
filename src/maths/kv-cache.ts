// KV-cache size: every layer keeps one key and one value vector per head for every position it has seen.
import type { ModelInfo } from '../trace';

/** float32, as this deck runs the model. */
export const FP32_BYTES = 4;
/** float16, as large models are usually served. */
export const FP16_BYTES = 2;

export interface CacheShape {
  nLayer: number;
  /** Key/value heads: the cache keeps one key and one value per KV head (fewer than the query heads under GQA). */
  nHead: number;
  headDim: number;
}

/** GPT-2 small's public config (12 layers, 12 heads of 64): another model's numbers, for comparison only. */
export const GPT2_SMALL_SHAPE: CacheShape & { contextLength: number } = { nLayer: 12, nHead: 12, headDim: 64, contextLength: 1024 };

/** nLayer × nHead × headDim × 2 (a key and a value) × bytes per number. */
export function cacheBytesPerToken(shape: CacheShape, bytesPerValue: number): number {
  return shape.nLayer * shape.nHead * shape.headDim * 2 * bytesPerValue;
}

/** The cache after `positions` tokens: it grows linearly, one token's worth per position. */
export function cacheBytesAt(shape: CacheShape, bytesPerValue: number, positions: number): number {
  return cacheBytesPerToken(shape, bytesPerValue) * Math.max(0, positions);
}

export function modelCacheShape(model: ModelInfo): CacheShape {
  return { nLayer: model.nLayer, nHead: model.architecture.kvHeads, headDim: model.headDim };
}

/** 8192 -> "8,192 bytes", 2097152 -> "2.0 MiB": binary units, so the doubling in 8 KiB per token stays visible. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes < 1024 * 10) return `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
