// `npm run trace -- --attribution [--ablate 2.3,mlp1]` (issue 14 item 3): the votes in the JSON shape,
// and the top-k under a knock-out equal to the engine's own run with the same parts switched off.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel } from '../../src/convert/index';
import { runTrace } from '../../src/engine/run-trace';
import { parseKnockOut, type NextTokenCandidate, type Trace } from '../../src/trace';
import { makeRandomGpt2Checkpoint } from '../convert/random-checkpoint';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';

const PROMPT = 'How do I bake chocolate chip cookies?';

function trace(...args: string[]) {
  const result = spawnSync('npx', ['tsx', 'src/cli/trace.ts', ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run trace --attribution', () => {
  it('adds the top token and its votes, which sum to its logit', () => {
    const { code, stdout } = trace('--prompt', PROMPT, '--json', '--attribution');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    const { target, components, sum } = out.attribution as { target: { id: number; logit: number }; components: { kind: string; layer: number | null; head: number | null; value: number }[]; sum: number };
    expect(target.id).toBe(out.topk[0].id);
    expect(Math.abs(components.reduce((total, c) => total + c.value, 0) - target.logit)).toBeLessThan(1e-4);
    expect(sum).toBeCloseTo(components.reduce((total, c) => total + c.value, 0), 9);
    expect(components.filter((c) => c.kind === 'head')).toHaveLength(16); // 4 layers × 4 heads
    expect(new Set(components.map((c) => c.kind))).toEqual(new Set(['embed', 'pos', 'head', 'mlp', 'bias']));
  });

  it('knocks out on the embedded model (converted with the knock-out inputs), refuses one on a model without them and a malformed one, in one line', () => {
    const embedded = trace('--prompt', PROMPT, '--json', '--ablate', '2.3');
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(JSON.parse(embedded.stdout).ablate).toBe('2.3');
    const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 92, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 3, n_positions: 256 });
    const withoutConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
    const root = mkdtempSync(join(tmpdir(), 'trace-no-knock-out-'));
    try {
      const without = writeModelFolder(root, 'plain', { config: withoutConfig, onnx: convertModel({ config: withoutConfig, weights: bytes }), withTokenizer: true });
      const plain = trace('--model', without, '--prompt', PROMPT, '--no-chat', '--ablate', '2.3');
      expect(plain.code).toBe(1);
      expect(plain.stderr.trim().split('\n').filter((line) => !line.startsWith('npm warn'))).toEqual([expect.stringContaining('reconvert it')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const malformed = trace('--prompt', PROMPT, '--ablate', '2.x');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"2.x" is not a part to knock out');
  });
});

describe('npm run trace --ablate on a model converted with the knock-out inputs', () => {
  const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 91, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 3, n_positions: 256 });
  const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  const modelsRoot = mkdtempSync(join(tmpdir(), 'trace-ablate-'));
  const folder = writeModelFolder(modelsRoot, 'knock-out', { config: folderConfig, onnx: convertModel({ config: folderConfig, weights: bytes, knockOut: true }), withTokenizer: true });
  let engine: Trace;
  let plainEngine: Trace;

  beforeAll(async () => {
    const loaded = await loadModelInNode(folder);
    engine = await runTrace(loaded, PROMPT, { knockOut: parseKnockOut('1.2,mlp0') });
    plainEngine = await runTrace(loaded, PROMPT);
    await loaded.model.dispose();
  }, 120_000);
  afterAll(() => rmSync(modelsRoot, { recursive: true, force: true }));

  it('prints the top-k under the knock-out, as the engine computes it', () => {
    const { code, stdout, stderr } = trace('--model', folder, '--prompt', PROMPT, '--json', '--no-chat', '--ablate', 'mlp0,1.2', '--attribution');
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.ablate).toBe('1.2,mlp0');
    expect(out.topk.map((c: NextTokenCandidate) => c.id)).toEqual(engine.topk.map((c) => c.id));
    out.topk.forEach((c: NextTokenCandidate, rank: number) => expect(c.prob).toBeCloseTo(engine.topk[rank].prob, 6));
    expect(out.topk.map((c: NextTokenCandidate) => c.prob)).not.toEqual(plainEngine.topk.map((c) => c.prob)); // the knock-out changed them
    const mlp0 = out.attribution.components.find((c: { kind: string; layer: number }) => c.kind === 'mlp' && c.layer === 0);
    expect(mlp0.value).toBe(0);
  });
});
