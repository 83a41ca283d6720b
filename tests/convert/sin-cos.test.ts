// The graph's sin and cos (src/convert/sin-cos.ts, built from Mul/Add/Sub/Floor) against Math.sin/Math.cos.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/convert/onnx-writer';
import { sinCos } from '../../src/convert/sin-cos';
import { createSession } from './onnx-session';

/** Runs sin and cos of `angles` (float32) through the graph building block. */
async function graphSinCos(angles: Float32Array): Promise<{ sin: Float32Array; cos: Float32Array }> {
  const g = new GraphBuilder('sin_cos');
  const x = g.input('x', 'float32', ['n']);
  const { sin, cos } = sinCos(g, x, 'x');
  g.node('Identity', 'sin', [sin], { outputs: ['sin'] });
  g.node('Identity', 'cos', [cos], { outputs: ['cos'] });
  g.output('sin', 'float32', ['n']);
  g.output('cos', 'float32', ['n']);
  const session = await createSession(g.toBytes());
  const outputs = await session.run({ x: new ort.Tensor('float32', angles, [angles.length]) });
  return { sin: outputs.sin.data as Float32Array, cos: outputs.cos.data as Float32Array };
}

/** Max abs error against Math.sin / Math.cos of the same float32 angles. */
async function maxError(angles: Float32Array): Promise<number> {
  const { sin, cos } = await graphSinCos(angles);
  let worst = 0;
  angles.forEach((angle, i) => {
    worst = Math.max(worst, Math.abs(sin[i] - Math.sin(angle)), Math.abs(cos[i] - Math.cos(angle)));
  });
  return worst;
}

describe('sinCos', () => {
  it('is accurate to float32 rounding over the first few turns, negative angles included', async () => {
    const angles = Float32Array.from({ length: 20001 }, (_, i) => (i - 10000) * 0.00377);
    expect(await maxError(angles)).toBeLessThan(1e-6);
  });

  it('stays accurate for RoPE angles of positions up to 131072 (Llama 3.1 context)', async () => {
    const angles = Float32Array.from({ length: 20000 }, (_, i) => i * 6.5537 + 0.1234);
    expect(await maxError(angles)).toBeLessThan(1e-5);
  });

  it('gives exact values at 0', async () => {
    const { sin, cos } = await graphSinCos(new Float32Array([0]));
    expect([sin[0], cos[0]]).toEqual([0, 1]);
  });
});
