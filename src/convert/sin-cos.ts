// sin and cos of a float32 tensor from Mul, Add, Sub and Floor only, accurate to float32 rounding on every
// ONNX Runtime backend. Not the Sin and Cos ops: the WebGPU backend runs them as WGSL sin/cos, which the WGSL
// spec bounds only to 2^-11 absolute error on [-pi, pi]; on SwiftShader that moved RoPE's q and k by ~1e-3,
// where everything else agrees with the CPU to ~1e-5.
import type { GraphBuilder } from './onnx-writer';

// 2 pi = TWO_PI_HIGH + TWO_PI_LOW (Cody-Waite), where TWO_PI_HIGH = 201/32 has 8 significant bits: k * TWO_PI_HIGH
// is exact in float32 for whole k below 2^16 (angles up to ~400,000 radians), so the reduction's own error is only
// that of k * TWO_PI_LOW, far below the float32 spacing of the angle itself.
const TWO_PI_HIGH = 6.28125;
const TWO_PI_LOW = 2 * Math.PI - TWO_PI_HIGH;

// Taylor coefficients, lowest power first: sin r = r * sum (-1)^n r^2n / (2n+1)!, cos r = sum (-1)^n r^2n / (2n)!.
// For |r| <= pi the first terms left out (r^21/21!, r^22/22!) are below 1e-9.
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const SIN_COEFFICIENTS = Array.from({ length: 10 }, (_, n) => (-1) ** n / factorial(2 * n + 1));
const COS_COEFFICIENTS = Array.from({ length: 11 }, (_, n) => (-1) ** n / factorial(2 * n));

/** sin(x) and cos(x), elementwise, as two new graph values named after `name`. */
export function sinCos(g: GraphBuilder, x: string, name: string): { sin: string; cos: string } {
  const constant = (hint: string, value: number) => g.scalar(hint, 'float32', value);
  // r = x - k * 2 pi with k = round(x / 2 pi): r lies in [-pi, pi], where the series converge fast.
  const scaled = g.node('Mul', `${name}.turns_exact`, [x, constant('inverse_two_pi', 1 / (2 * Math.PI))]);
  const turns = g.node('Floor', `${name}.turns`, [g.node('Add', `${name}.turns_plus_half`, [scaled, constant('half', 0.5)])]);
  const roughlyReduced = g.node('Sub', `${name}.reduced_high`, [x, g.node('Mul', `${name}.turns_high`, [turns, constant('two_pi_high', TWO_PI_HIGH)])]);
  const reduced = g.node('Sub', `${name}.reduced`, [roughlyReduced, g.node('Mul', `${name}.turns_low`, [turns, constant('two_pi_low', TWO_PI_LOW)])]);
  const squared = g.node('Mul', `${name}.reduced_squared`, [reduced, reduced]);
  return {
    sin: g.node('Mul', `${name}.sin`, [reduced, polynomial(g, squared, SIN_COEFFICIENTS, `${name}.sin_series`)]),
    cos: polynomial(g, squared, COS_COEFFICIENTS, `${name}.cos`),
  };
}

/** c0 + c1 x + c2 x^2 + ..., by Horner's rule (coefficients lowest power first). */
function polynomial(g: GraphBuilder, x: string, coefficients: number[], name: string): string {
  const constant = (value: number) => g.scalar('series_coefficient', 'float32', value);
  let sum = constant(coefficients[coefficients.length - 1]);
  for (let power = coefficients.length - 2; power >= 0; power--) {
    const product = g.node('Mul', `${name}.times_x`, [sum, x]);
    sum = g.node('Add', power === 0 ? name : `${name}.plus_c${power}`, [product, constant(coefficients[power])]);
  }
  return sum;
}
