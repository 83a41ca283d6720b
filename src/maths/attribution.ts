// Direct logit attribution: one token's logit at the last position split exactly into what each part of the
// model wrote into the residual stream (embeddings, every head, every MLP, the biases), with the final norm's
// scale at that position held fixed (the usual linearisation). Everything is float64 and linear in the
// unembedding row, so the gap between two tokens is the attribution of the difference of their rows.

export type AttributionKind = 'embed' | 'pos' | 'head' | 'mlp' | 'bias';

export interface AttributionComponent {
  kind: AttributionKind;
  /** The layer (0-based) of a head, an MLP or an attention-projection bias; null for the embeddings and the final norm's bias. */
  layer: number | null;
  /** The query head (0-based) of a 'head' component; null otherwise. */
  head: number | null;
  value: number;
}

/** The final norm at the last position: LayerNorm (centre, scale, gain, bias) or RMSNorm (scale, gain). */
export interface FinalNorm {
  kind: 'layernorm' | 'rmsnorm';
  gain: ArrayLike<number>;
  /** LayerNorm's bias; null for RMSNorm. */
  bias: ArrayLike<number> | null;
  epsilon: number;
}

/** The attention output projection of one layer, as the checkpoint stores it. */
export interface OutputProjection {
  weight: ArrayLike<number>;
  /** 'in-out': [h*hd, d] (GPT-2's Conv1D c_proj); 'out-in': [d, h*hd] (nn.Linear o_proj). */
  layout: 'in-out' | 'out-in';
  /** Added once per layer after the heads are summed; null when the projection has none. */
  bias: ArrayLike<number> | null;
}

export interface AttributionLayer {
  /** Each query head's context vector at the last position (probs @ v, hd values), before the heads are merged. */
  headContexts: ArrayLike<number>[];
  projection: OutputProjection;
  /** The MLP's output at the last position (its own bias included). */
  mlpOut: ArrayLike<number>;
}

/** Everything written into the residual stream at the last position, and the norm that reads it. */
export interface AttributionParts {
  /** The residual stream entering the final norm (its σ or RMS is the fixed scale). */
  finalResidual: ArrayLike<number>;
  finalNorm: FinalNorm;
  tokenEmbedding: ArrayLike<number>;
  /** GPT-2's learned position vector; null for rotary positions. */
  positionEmbedding: ArrayLike<number> | null;
  layers: AttributionLayer[];
}

/** The final norm's divisor at this position: sqrt(var + ε) for LayerNorm, sqrt(mean(x²) + ε) for RMSNorm. */
export function finalNormScale(residual: ArrayLike<number>, norm: FinalNorm): number {
  const width = residual.length;
  let mean = 0;
  if (norm.kind === 'layernorm') {
    for (let i = 0; i < width; i++) mean += residual[i];
    mean /= width;
  }
  let square = 0;
  for (let i = 0; i < width; i++) square += (residual[i] - mean) ** 2;
  return Math.sqrt(square / width + norm.epsilon);
}

/**
 * The direction a residual-stream vector is read along: (gain ⊙ row) / scale, centred for LayerNorm.
 * A vector c contributes c · direction: for LayerNorm (c - mean(c)) · (gain ⊙ row) / σ equals c · centred(gain ⊙ row) / σ.
 */
export function readoutDirection(unembedRow: ArrayLike<number>, norm: FinalNorm, scale: number): Float64Array {
  const width = unembedRow.length;
  const direction = new Float64Array(width);
  for (let i = 0; i < width; i++) direction[i] = norm.gain[i] * unembedRow[i];
  if (norm.kind === 'layernorm') {
    let mean = 0;
    for (let i = 0; i < width; i++) mean += direction[i];
    mean /= width;
    for (let i = 0; i < width; i++) direction[i] -= mean;
  }
  for (let i = 0; i < width; i++) direction[i] /= scale;
  return direction;
}

/** Wᵀ · direction: the direction pulled back through the output projection into the merged heads' space (h*hd). */
export function pullBack(projection: OutputProjection, direction: ArrayLike<number>, mergedWidth: number): Float64Array {
  const width = direction.length;
  const pulled = new Float64Array(mergedWidth);
  const w = projection.weight;
  if (projection.layout === 'in-out') {
    for (let r = 0; r < mergedWidth; r++) {
      let sum = 0;
      for (let o = 0; o < width; o++) sum += w[r * width + o] * direction[o];
      pulled[r] = sum;
    }
  } else {
    for (let o = 0; o < width; o++) {
      const along = direction[o];
      for (let r = 0; r < mergedWidth; r++) pulled[r] += w[o * mergedWidth + r] * along;
    }
  }
  return pulled;
}

function dot64(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[bOffset + i];
  return sum;
}

/**
 * The components of `unembedRow · norm(residual)` in forward order: token embedding, position embedding,
 * then per layer each head, the attention projection's bias, the MLP; last the final norm's bias.
 * Their sum is the logit exactly when the parts add up to finalResidual (they do: that is the residual stream).
 */
export function attributeLogit(parts: AttributionParts, unembedRow: ArrayLike<number>): AttributionComponent[] {
  const scale = finalNormScale(parts.finalResidual, parts.finalNorm);
  const direction = readoutDirection(unembedRow, parts.finalNorm, scale);
  const components: AttributionComponent[] = [{ kind: 'embed', layer: null, head: null, value: dot64(parts.tokenEmbedding, direction) }];
  if (parts.positionEmbedding) components.push({ kind: 'pos', layer: null, head: null, value: dot64(parts.positionEmbedding, direction) });
  parts.layers.forEach((layer, index) => {
    const headWidth = layer.headContexts[0]?.length ?? 0;
    const pulled = pullBack(layer.projection, direction, headWidth * layer.headContexts.length);
    layer.headContexts.forEach((context, head) => components.push({ kind: 'head', layer: index, head, value: dot64(context, pulled, head * headWidth) }));
    if (layer.projection.bias) components.push({ kind: 'bias', layer: index, head: null, value: dot64(layer.projection.bias, direction) });
    components.push({ kind: 'mlp', layer: index, head: null, value: dot64(layer.mlpOut, direction) });
  });
  if (parts.finalNorm.bias) components.push({ kind: 'bias', layer: null, head: null, value: dot64(parts.finalNorm.bias, unembedRow) });
  return components;
}

/** The difference of two unembedding rows: the gap between two tokens' logits is read along it. */
export function rowDifference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] - b[i]);
}

/** The components' total: the linearised logit (equal to the model's, up to rounding). */
export function componentSum(components: readonly AttributionComponent[]): number {
  return components.reduce((sum, component) => sum + component.value, 0);
}
