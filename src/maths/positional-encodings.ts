// Position schemes computed from their published formulas. sotu-gpt (like GPT-2) does not use them:
// it learned one vector per position, and the positions slide shows these for contrast. For a RoPE
// model (Llama family) the slide measures the rotation the model really applied and compares.
// Written by hand: each is one line of maths, and no library ships them for the browser.

/** Base of the wavelengths in "Attention Is All You Need" (Vaswani et al. 2017) and in RoPE (Su et al. 2021). */
export const POSITION_BASE = 10000;

/**
 * The sinusoidal encoding of one position, width d:
 * PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
 */
export function sinusoidalEncoding(position: number, width: number, base = POSITION_BASE): Float64Array {
  const out = new Float64Array(Math.max(0, width));
  for (let dim = 0; dim < out.length; dim += 2) {
    const angle = position / Math.pow(base, dim / width); // dim = 2i
    out[dim] = Math.sin(angle);
    if (dim + 1 < out.length) out[dim + 1] = Math.cos(angle);
  }
  return out;
}

/** Rows of sinusoidalEncoding for several positions: [positions.length x width], row-major. */
export function sinusoidalMatrix(positions: readonly number[], width: number, base = POSITION_BASE): Float64Array {
  const out = new Float64Array(positions.length * Math.max(0, width));
  positions.forEach((position, row) => out.set(sinusoidalEncoding(position, width, base), row * width));
  return out;
}

/** RoPE's frequency for dimension pair i of a head of width d: theta_i = 10000^(-2i/d). */
export function ropeFrequency(pairIndex: number, headWidth: number, base = POSITION_BASE): number {
  return Math.pow(base, (-2 * pairIndex) / headWidth);
}

/** The angle (radians) by which RoPE turns pair i of a query or key at this position: pos * theta_i. */
export function ropeAngle(position: number, pairIndex: number, headWidth: number, base = POSITION_BASE): number {
  return position * ropeFrequency(pairIndex, headWidth, base);
}

/** Turns the pair (x, y) by `angle` radians, as RoPE does to each pair of q and k. */
export function rotatePair(x: number, y: number, angle: number): [number, number] {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return [x * cos - y * sin, x * sin + y * cos];
}

/** An angle brought into (-π, π], so angles that differ by whole turns compare equal. */
export function wrapAngle(angle: number): number {
  const turned = angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
  return turned === -Math.PI ? Math.PI : turned;
}

/** The angle (in (-π, π]) that turns the pair `before` into `after`: what RoPE really did to it. */
export function measuredRotation(before: [number, number], after: [number, number]): number {
  const [x, y] = before;
  const [xTurned, yTurned] = after;
  return Math.atan2(x * yTurned - y * xTurned, x * xTurned + y * yTurned);
}
