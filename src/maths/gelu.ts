// GELU, the feed-forward network's activation, in the tanh approximation GPT-2 uses ("gelu_new"):
// gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); and SiLU, the gate of Llama's SwiGLU.

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** SiLU (swish), the gate of Llama's SwiGLU feed-forward: x · sigmoid(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** GELU's lowest output, about -0.170 at x ≈ -0.752: a neuron can never go further below zero. */
export const GELU_MINIMUM = -0.17;

export interface ActivationSummary {
  count: number;
  /** Outputs below zero: the neuron's input was negative. */
  negative: number;
  /** Outputs below `nearZero` (negative ones included): neurons that pass on (almost) nothing. */
  quiet: number;
  nearZero: number;
}

/** Counts the neurons a token leaves negative or (almost) silent after GELU. */
export function summariseActivations(activations: ArrayLike<number>, nearZero = 0.05): ActivationSummary {
  let negative = 0;
  let quiet = 0;
  for (let i = 0; i < activations.length; i++) {
    if (activations[i] < 0) negative++;
    if (activations[i] < nearZero) quiet++;
  }
  return { count: activations.length, negative, quiet, nearZero };
}

/** The largest |act - gelu(pre_act)|: shows the model's activation is this formula. */
export function geluMismatch(preActivations: ArrayLike<number>, activations: ArrayLike<number>): number {
  let largest = 0;
  const length = Math.min(preActivations.length, activations.length);
  for (let i = 0; i < length; i++) largest = Math.max(largest, Math.abs(activations[i] - geluTanh(preActivations[i])));
  return largest;
}
