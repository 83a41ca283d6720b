// Small vector operations on float arrays (float64 accumulation).

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

export function meanAndStd(a: ArrayLike<number>): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i];
  mean /= a.length;
  let variance = 0;
  for (let i = 0; i < a.length; i++) variance += (a[i] - mean) ** 2;
  return { mean, std: Math.sqrt(variance / a.length) };
}

/** LayerNorm as GPT-2 computes it: (x - mean) / sqrt(var + eps) * gain + bias. */
export function layerNorm(x: ArrayLike<number>, gain: ArrayLike<number>, bias: ArrayLike<number>, eps: number): Float64Array {
  const { mean, std } = meanAndStd(x);
  const scale = 1 / Math.sqrt(std * std + eps);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - mean) * scale * gain[i] + bias[i];
  return out;
}

/** RMSNorm as Llama computes it: x / sqrt(mean(x^2) + eps) * gain (no centring, no bias). */
export function rmsNorm(x: ArrayLike<number>, gain: ArrayLike<number>, eps: number): Float64Array {
  let meanSquare = 0;
  for (let i = 0; i < x.length; i++) meanSquare += x[i] * x[i];
  meanSquare /= x.length;
  const scale = 1 / Math.sqrt(meanSquare + eps);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * scale * gain[i];
  return out;
}

/** matrix [rows, width] (row-major) times vector [width] -> [rows]. */
export function matVec(matrix: Float32Array, rows: number, width: number, vector: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const offset = r * width;
    for (let i = 0; i < width; i++) sum += matrix[offset + i] * vector[i];
    out[r] = sum;
  }
  return out;
}

/**
 * matVec for several vectors at once: [matrix · v for each v]. Each matrix row is read once for all the
 * vectors, so a large matrix (an LM head of 50,000 x 1,000) streams through memory once, not once per vector.
 */
export function matVecMany(matrix: Float32Array, rows: number, width: number, vectors: readonly ArrayLike<number>[]): Float64Array[] {
  const outs = vectors.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const row = matrix.subarray(r * width, (r + 1) * width);
    for (let v = 0; v < vectors.length; v++) {
      const vector = vectors[v];
      let sum = 0;
      for (let i = 0; i < width; i++) sum += row[i] * vector[i];
      outs[v][r] = sum;
    }
  }
  return outs;
}
