// The Node `trace` command: the reference the browser tests compare against.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function trace(...args: string[]) {
  const result = spawnSync('npx', ['tsx', 'src/cli/trace.ts', ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run trace', () => {
  it('prints tokens, ids, top-10 and attention as one JSON object', () => {
    const { code, stdout } = trace('--prompt', 'How do I bake chocolate chip cookies?', '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.tokens.join('')).toBe('How do I bake chocolate chip cookies?');
    expect(out.ids).toHaveLength(out.tokens.length);
    expect(out.topk).toHaveLength(10);
    const probs = out.topk.map((c: { prob: number }) => c.prob);
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    expect(probs.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(out.attention).toHaveLength(4); // layers
    const head = out.attention[0][0];
    expect(head).toHaveLength(out.ids.length);
    head.forEach((row: number[], query: number) => {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      row.slice(query + 1).forEach((p) => expect(p).toBe(0)); // causal: no weight on later tokens
    });
  });

  it('prints a readable summary without --json', () => {
    const { code, stdout } = trace('--prompt', 'Hello');
    expect(code).toBe(0);
    expect(stdout).toMatch(/next token:/);
  });

  it('rejects unknown flags with usage and exit code 2', () => {
    const { code, stderr } = trace('--prompt', 'x', '--temperature', '2');
    expect(code).toBe(2);
    expect(stderr).toMatch(/usage: npm run trace/);
  });

  it('gives a one-line message for an empty prompt', () => {
    const { code, stderr } = trace('--prompt', '');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toEqual([
      'trace: The prompt is empty: type something for the model to read.',
    ]);
  });

  it('names a missing model folder', () => {
    const { code, stderr } = trace('--prompt', 'x', '--model', 'no/such/model');
    expect(code).toBe(1);
    expect(stderr).toMatch(/model folder not found \(no config.json\): no\/such\/model/);
  });
});
