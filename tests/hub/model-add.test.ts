// npm run model:add against a fake Hub on 127.0.0.1 (tests/hub/fake-hub.ts): download, convert and trace
// agree with the float64 reference; resumed, corrupted, gated, missing and unreachable cases each end in
// the right state and one line; the token never leaks.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/convert/safetensors';
import { runTrace } from '../../src/engine/run-trace';
import { addModel, parseModelAddArgs, type ModelAddIo } from '../../src/hub/add-model';
import { TOLERANCE } from '../convert/compare';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint, type RandomCheckpoint } from '../convert/random-checkpoint';
import { referenceGpt2Forward } from '../convert/reference-gpt2';
import { referenceLlamaForward } from '../convert/reference-llama';
import { END_OF_TEXT } from '../fixtures/model-folder';
import { closedPort, startFakeHub, type FakeHub, type FakeRepo } from './fake-hub';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'model-add-'));
const emptyHome = join(work, 'hf-home'); // no saved `hf auth login` token
const TOKEN = 'hf_testSecretTokenDoNotLeak0123456789';
const PROMPT = 'The state of the union is strong';

// The deck's own tokenizer (8,192 tokens), so a text prompt encodes into ids the tiny models know.
const tokenizerFiles = {
  'tokenizer.json': readFileSync(join(repoRoot, 'assets/models/sotu-gpt/tokenizer.json')),
  'tokenizer_config.json': readFileSync(join(repoRoot, 'assets/models/sotu-gpt/tokenizer_config.json')),
  'generation_config.json': JSON.stringify({ bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT }),
};
// What a real repo also holds and model:add must not fetch.
const decoys = { 'pytorch_model.bin': new Uint8Array(300_000).fill(7), 'onnx/model.onnx': 'not ours', 'README.md': '# model card' };

const llama = makeRandomLlamaCheckpoint({ seed: 5, vocab_size: 8192, hidden_size: 16, intermediate_size: 32, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64 });
const gpt2 = makeRandomGpt2Checkpoint({ seed: 6, vocab_size: 8192, n_embd: 16, n_head: 2, n_layer: 2, n_positions: 64 });

/** The checkpoint's safetensors split in two shards plus model.safetensors.index.json, as the Hub stores large models. */
function sharded(checkpoint: RandomCheckpoint): Record<string, Uint8Array | string> {
  const tensors = [...readSafetensors(checkpoint.bytes)];
  const half = Math.ceil(tensors.length / 2);
  const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const parts = [tensors.slice(0, half), tensors.slice(half)];
  const files: Record<string, Uint8Array | string> = {};
  const weightMap: Record<string, string> = {};
  parts.forEach((part, i) => {
    files[names[i]] = writeSafetensors(new Map<string, TensorToWrite>(part), { format: 'pt' });
    for (const [name] of part) weightMap[name] = names[i];
  });
  files['model.safetensors.index.json'] = JSON.stringify({ metadata: { total_size: checkpoint.bytes.byteLength }, weight_map: weightMap });
  return files;
}

const withIds = (config: Record<string, unknown>) => JSON.stringify({ ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT });
const repos: FakeRepo[] = [
  { id: 'tiny/llama-chat', files: { 'config.json': withIds(llama.config), 'model.safetensors': llama.bytes, ...tokenizerFiles, ...decoys } },
  { id: 'tiny/gpt2-sharded', files: { 'config.json': withIds(gpt2.config), ...sharded(gpt2), ...tokenizerFiles } },
  { id: 'meta/gated-llama', gatedToken: TOKEN, files: { 'config.json': withIds(llama.config), 'model.safetensors': llama.bytes, ...tokenizerFiles } },
  { id: 'tiny/gemma', files: { 'config.json': JSON.stringify({ model_type: 'gemma', architectures: ['GemmaForCausalLM'] }), 'model.safetensors': llama.bytes, ...tokenizerFiles } },
  {
    id: 'tiny/llama-8b',
    files: {
      'config.json': withIds({ ...llama.config, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256 }),
      'model.safetensors': llama.bytes,
      ...tokenizerFiles,
    },
  },
  { id: 'tiny/broken-listing', unreachable: ['tokenizer_config.json'], files: { 'config.json': withIds(llama.config), 'model.safetensors': llama.bytes, ...tokenizerFiles } },
  { id: 'tiny/pytorch-only', files: { 'config.json': withIds(llama.config), 'pytorch_model.bin': 'x', ...tokenizerFiles } },
];

let hub: FakeHub;
beforeAll(async () => {
  mkdirSync(emptyHome);
  hub = await startFakeHub(repos);
});
afterAll(async () => {
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
/** A fresh output and cache folder per run unless given. */
function folders(name = `run-${++runs}`) {
  return { out: join(work, name, 'models', 'model'), cache: join(work, name, 'cache') };
}

/** model:add in this process (the fake Hub answers on the same event loop). */
async function modelAdd(args: string[], env: Record<string, string> = {}, io: Partial<ModelAddIo> = {}) {
  const options = parseModelAddArgs(args, work);
  if (typeof options === 'string' || 'help' in options) throw new Error(`bad arguments: ${JSON.stringify(options)}`);
  let stdout = '';
  let stderr = '';
  const status = await addModel(options, {
    env: { HF_ENDPOINT: hub.endpoint, HF_HOME: emptyHome, ...env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    cwd: work,
    retryDelayMs: 0,
    ...io,
  });
  return { status, stdout, stderr, lastLine: stderr.trimEnd().split('\n').at(-1) ?? '' };
}

/** The real command line, as `npm run model:add` runs it (asynchronously: the fake Hub lives in this process). */
function modelAddCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('HF_')));
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/model-add.ts', ...args], { cwd: repoRoot, env: { ...cleanEnv, HF_HOME: emptyHome, ...env } }, (error, stdout, stderr) =>
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Every file under `folder`, recursively. */
function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const weightRequests = (file = 'model.safetensors') => hub.requestsFor(file).filter((r) => r.method === 'GET').length;

/** Loads the model folder, traces PROMPT, and returns the largest |logit - float64 reference logit| at the last position. */
async function traceAgainstReference(folder: string, reference: (ids: number[]) => Float64Array): Promise<number> {
  const loaded = await loadModelInNode(folder);
  try {
    const trace = await runTrace(loaded, PROMPT);
    const ids = trace.tokens.map((token) => token.id);
    expect(ids.length).toBeGreaterThan(3);
    const expected = reference(ids);
    const vocab = trace.lastLogits.length;
    expect(vocab).toBe(8192);
    const last = expected.subarray((ids.length - 1) * vocab, ids.length * vocab);
    return Math.max(...Array.from(trace.lastLogits, (logit, i) => Math.abs(logit - last[i])));
  } finally {
    await loaded.model.dispose();
  }
}
const inputsFor = (ids: number[]) => ({ inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] });

describe('model:add against a fake Hub', () => {
  it('downloads a Llama checkpoint, converts it, and the trace equals the float64 reference', async () => {
    const { out, cache } = folders('llama');
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(result.stderr).not.toMatch(/model:add:/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^added tiny\/llama-chat at main \([0-9a-f]{7}\) as llama\/models\/model: llama, /);
    expect(result.stdout).toMatch(/\nthe download stays in llama\/cache\/tiny--llama-chat\/[0-9a-f]{40} \(1\.2\d MiB\)/);
    expect(result.stderr).toMatch(/tiny\/llama-chat: llama, .* parameters: .* in float32, .* in float16/);
    expect(result.stderr).toMatch(/downloaded model\.safetensors \(/);

    // Only what a model folder needs was fetched: no pytorch_model.bin, no onnx/, no README.
    const fetched = hub.requests.filter((r) => r.server === 'hub' && r.path.startsWith('/tiny/llama-chat/resolve/')).map((r) => r.path.split('/').slice(5).join('/'));
    expect(new Set(fetched)).toEqual(new Set(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors']));
    expect(fetched[0]).toBe('config.json');
    // The weights came through the "CDN" redirect and were checked; the download cache holds them, whole.
    expect(hub.requests.some((r) => r.server === 'cdn')).toBe(true);
    const cached = filesUnder(cache);
    expect(cached.filter((path) => path.endsWith('.part'))).toEqual([]);
    expect(sha256(readFileSync(cached.find((path) => path.endsWith('model.safetensors'))!))).toBe(sha256(llama.bytes));
    // The model folder, and nothing half-written beside it; the models root's models.json lists it.
    expect(readdirSync(join(out, '..')).sort()).toEqual(['model', 'models.json']);
    const listing = JSON.parse(readFileSync(join(out, '..', 'models.json'), 'utf8')) as { models: { name: string; modelType: string; precisions: string[] }[] };
    expect(listing.models.map(({ name, modelType, precisions }) => ({ name, modelType, precisions }))).toEqual([{ name: 'model', modelType: 'llama', precisions: ['fp32'] }]);
    expect(existsSync(join(out, 'onnx', 'model.onnx'))).toBe(true);
    expect(existsSync(join(out, 'tokenizer.json'))).toBe(true);

    const diff = await traceAgainstReference(out, (ids) => referenceLlamaForward(llama.config, llama.parameters, inputsFor(ids)).logits.data);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);

    // A second run takes every file from the cache and replaces the model folder.
    const before = hub.requests.length;
    const again = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(again.status).toBe(0);
    expect(hub.requests.slice(before).filter((r) => r.server === 'cdn' || r.path.includes('/resolve/'))).toEqual([]);
    expect(readdirSync(join(out, '..')).sort()).toEqual(['model', 'models.json']);
  });

  it('downloads a sharded GPT-2 checkpoint (index + 2 shards), and the trace equals the float64 reference', async () => {
    const { out, cache } = folders('sharded');
    const result = await modelAdd(['tiny/gpt2-sharded', '--out', out, '--cache', cache]);
    expect(result.lastLine).not.toMatch(/model:add:/);
    expect(result.status).toBe(0);
    expect(weightRequests('model-00001-of-00002.safetensors')).toBeGreaterThan(0);
    expect(weightRequests('model-00002-of-00002.safetensors')).toBeGreaterThan(0);
    const diff = await traceAgainstReference(out, (ids) => referenceGpt2Forward(gpt2.config, gpt2.parameters, inputsFor(ids)).logits.data);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
  });

  it('resumes a download cut mid-file with a Range request, in the same run, and the file hash matches', async () => {
    const { out, cache } = folders('resume-in-run');
    hub.fault('model.safetensors', { cutAfter: 200_000, cuts: 1 });
    const firstRequest = hub.requests.length;
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(result.status).toBe(0);
    const cdn = hub.requestsFor('model.safetensors').filter((r) => r.server === 'cdn' && hub.requests.indexOf(r) >= firstRequest);
    expect(cdn.map((r) => r.range)).toEqual([null, expect.stringMatching(/^bytes=\d+-$/)]);
    const resumedAt = Number(/bytes=(\d+)-/.exec(cdn[1].range!)![1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(200_000);
    const weights = filesUnder(cache).find((path) => path.endsWith('model.safetensors'))!;
    expect(sha256(readFileSync(weights))).toBe(sha256(llama.bytes));
  });

  it('keeps the .part when every retry is cut, says so in one line, and the next run resumes from it', async () => {
    const { out, cache } = folders('resume-next-run');
    hub.fault('model.safetensors', { cutAfter: 150_000, cuts: 2 });
    const first = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache], {}, { maxAttempts: 2 });
    expect(first.status).toBe(1);
    expect(first.lastLine).toMatch(/^model:add: download of model\.safetensors interrupted \(.+\) with \d+ bytes saved: run the same command again to resume$/);
    const part = filesUnder(cache).find((path) => path.endsWith('model.safetensors.part'))!;
    const saved = statSync(part).size;
    expect(saved).toBeGreaterThan(0);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(out, '..')) ? readdirSync(join(out, '..')) : []).toEqual([]); // no hidden half-written folder either

    const firstRequest = hub.requests.length;
    const second = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(second.status).toBe(0);
    const resumed = hub.requestsFor('model.safetensors').filter((r) => r.server === 'cdn' && hub.requests.indexOf(r) >= firstRequest);
    expect(resumed.map((r) => r.range)).toEqual([`bytes=${saved}-`]);
    expect(sha256(readFileSync(part.replace(/\.part$/, '')))).toBe(sha256(llama.bytes));
    expect(second.stderr).toMatch(/resuming at/);
  });

  it('finishes a .part that is already whole (a run killed before the rename): the 416 answer, then the hash', async () => {
    const { out, cache } = folders('whole-part');
    const seed = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(seed.status).toBe(0);
    const weights = filesUnder(cache).find((path) => path.endsWith('model.safetensors'))!;
    rmSync(out, { recursive: true });
    writeFileSync(`${weights}.part`, readFileSync(weights));
    rmSync(weights);
    const firstRequest = hub.requests.length;
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(result.status).toBe(0);
    const cdn = hub.requestsFor('model.safetensors').filter((r) => r.server === 'cdn' && hub.requests.indexOf(r) >= firstRequest);
    expect(cdn.map((r) => r.range)).toEqual([`bytes=${llama.bytes.byteLength}-`]);
    expect(existsSync(`${weights}.part`)).toBe(false);
    expect(sha256(readFileSync(weights))).toBe(sha256(llama.bytes));
  });

  it('starts again when the server ignores Range (200 instead of 206), and the hash still matches', async () => {
    const { out, cache } = folders('ignore-range');
    hub.fault('model.safetensors', { cutAfter: 100_000, cuts: 1, ignoreRange: true });
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(result.status).toBe(0);
    const weights = filesUnder(cache).find((path) => path.endsWith('model.safetensors'))!;
    expect(sha256(readFileSync(weights))).toBe(sha256(llama.bytes));
  });

  it('refuses a corrupted file by its sha256: deleted, no model folder, one line', async () => {
    const { out, cache } = folders('corrupt');
    hub.fault('model.safetensors', { corrupt: true });
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    hub.fault('model.safetensors', {});
    expect(result.status).toBe(1);
    expect(result.lastLine).toMatch(/^model:add: checksum mismatch for model\.safetensors of tiny\/llama-chat: sha256 [0-9a-f]{12}\.\.\., the Hub says [0-9a-f]{12}\.\.\.; the download was deleted, run again$/);
    expect(filesUnder(cache).filter((path) => path.includes('model.safetensors'))).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('asks HEAD for the size and sha256 when the file list has no LFS details, and still checks the hash', async () => {
    hub.blobInfo = false;
    try {
      const good = folders('head-good');
      const headsBefore = hub.requests.filter((r) => r.method === 'HEAD').length;
      expect((await modelAdd(['tiny/llama-chat', '--out', good.out, '--cache', good.cache])).status).toBe(0);
      expect(hub.requests.filter((r) => r.method === 'HEAD').length).toBeGreaterThan(headsBefore);
      const bad = folders('head-corrupt');
      hub.fault('model.safetensors', { corrupt: true });
      const result = await modelAdd(['tiny/llama-chat', '--out', bad.out, '--cache', bad.cache]);
      expect(result.lastLine).toMatch(/^model:add: checksum mismatch for model\.safetensors/);
    } finally {
      hub.blobInfo = true;
      hub.fault('model.safetensors', {});
    }
  });

  it('says "cannot reach" in exactly one line when the endpoint does not answer', async () => {
    const port = await closedPort();
    const { out, cache } = folders('offline');
    const result = await modelAddCli(['tiny/llama-chat', '--out', out, '--cache', cache], { HF_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`model:add: cannot reach http://127.0.0.1:${port}: connection refused\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('prints the usage and exits 2 for a missing model id or a bad option', async () => {
    const none = await modelAddCli([], {});
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^model:add: which model\? give its Hub id, e\.g\. HuggingFaceTB\/SmolLM2-360M-Instruct\nusage: npm run model:add -- <owner\/name>/);
    const badDtype = await modelAddCli(['a/b', '--dtype', 'int4'], {});
    expect(badDtype.status).toBe(2);
    expect(badDtype.stderr).toMatch(/^model:add: --dtype must be fp32 or fp16, got "int4"\n/);
  });

  it('a gated repo: 401 without the token names the licence page; with HF_TOKEN it works, and the token is never shown or written', async () => {
    const denied = folders('gated-denied');
    const without = await modelAdd(['meta/gated-llama', '--out', denied.out, '--cache', denied.cache]);
    expect(without.status).toBe(1);
    expect(without.lastLine).toBe(`model:add: meta/gated-llama is gated: accept its licence on ${hub.endpoint}/meta/gated-llama and set HF_TOKEN (401 for config.json of meta/gated-llama)`);
    expect(hub.requestsFor('model.safetensors').filter((r) => r.path.includes('gated'))).toEqual([]); // stopped before the weights

    const wrong = await modelAdd(['meta/gated-llama', '--out', denied.out, '--cache', denied.cache], { HF_TOKEN: 'hf_wrong' });
    expect(wrong.lastLine).toMatch(/is gated: accept its licence on .* with the account whose token is in HF_TOKEN/);

    const allowed = folders('gated-allowed');
    const firstRequest = hub.requests.length;
    const result = await modelAddCli(['meta/gated-llama', '--out', allowed.out, '--cache', allowed.cache], { HF_ENDPOINT: hub.endpoint, HF_TOKEN: TOKEN });
    expect(result.stderr).not.toMatch(/model:add:/);
    expect(result.status).toBe(0);
    const requests = hub.requests.slice(firstRequest);
    // Sent to the Hub, never to the storage host the weights redirect to.
    expect(requests.filter((r) => r.server === 'hub' && r.path.includes('/resolve/')).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(requests.filter((r) => r.server === 'cdn').length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === null)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    const written = [...filesUnder(allowed.out), ...filesUnder(allowed.cache)];
    expect(written.length).toBeGreaterThan(5);
    for (const path of written) expect(readFileSync(path).includes(TOKEN), path).toBe(false);
  });

  it('tells a missing repo, revision and file apart', async () => {
    const { out, cache } = folders('missing');
    const missingRepo = await modelAdd(['nobody/nothing', '--out', out, '--cache', cache]);
    expect(missingRepo.lastLine).toBe(`model:add: nobody/nothing not found on ${hub.endpoint}: check the name (a private repo needs HF_TOKEN)`);
    const missingRevision = await modelAdd(['tiny/llama-chat', '--revision', 'v9', '--out', out, '--cache', cache]);
    expect(missingRevision.lastLine).toBe('model:add: tiny/llama-chat has no revision "v9" (a branch, tag or commit)');
    const missingFile = await modelAdd(['tiny/broken-listing', '--out', out, '--cache', cache]);
    expect(missingFile.lastLine).toMatch(/^model:add: tiny\/broken-listing has no file tokenizer_config\.json at revision "main"$/);
    const noSafetensors = await modelAdd(['tiny/pytorch-only', '--out', out, '--cache', cache]);
    expect(noSafetensors.lastLine).toBe('model:add: tiny/pytorch-only has no model.safetensors or model.safetensors.index.json (only pytorch_model.bin): this converter reads safetensors');
    for (const result of [missingRepo, missingRevision, missingFile, noSafetensors]) expect(result.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unsupported family and a model that will not fit after reading config.json only', async () => {
    const { out, cache } = folders('refused');
    const gemma = await modelAdd(['tiny/gemma', '--out', out, '--cache', cache]);
    expect(gemma.status).toBe(1);
    expect(gemma.lastLine).toMatch(/^model:add: tiny\/gemma cannot be converted: .*gemma/i);
    expect(hub.requestsFor('model.safetensors').filter((r) => r.path.includes('gemma'))).toEqual([]);

    const big = await modelAdd(['tiny/llama-8b', '--out', out, '--cache', cache]);
    expect(big.status).toBe(1);
    expect(big.lastLine).toMatch(
      /^model:add: tiny\/llama-8b will not fit: llama, 8\.03 B parameters: 29\.9 GiB in float32, 15\.0 GiB in float16, more than the 4 GiB a browser's 32-bit WebAssembly memory holds \(fp32\); --max-gib converts it anyway/,
    );
    expect(hub.requestsFor('model.safetensors').filter((r) => r.path.includes('llama-8b'))).toEqual([]);
    expect(filesUnder(cache).map((path) => path.split('/').pop()).sort()).toEqual(['config.json', 'config.json']);
  });

  it('--dtype fp16 also writes onnx/model_fp16.onnx and checks the size at fp16; --max-gib moves the limit', async () => {
    const { out, cache } = folders('fp16');
    const result = await modelAdd(['tiny/llama-chat', '--dtype', 'fp16', '--out', out, '--cache', cache]);
    expect(result.status).toBe(0);
    expect(existsSync(join(out, 'onnx', 'model_fp16.onnx'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, '..', 'models.json'), 'utf8')).models[0].precisions).toEqual(['fp32', 'fp16']);

    // 8 B parameters: 29.9 GiB in fp32 is over a 20 GiB limit, 15.0 GiB in fp16 is under it.
    const big = folders('fp16-big');
    const fp32 = await modelAdd(['tiny/llama-8b', '--max-gib', '20', '--out', big.out, '--cache', big.cache]);
    expect(fp32.lastLine).toMatch(/more than the 20 GiB given with --max-gib \(fp32\); try --dtype fp16, or --max-gib to convert anyway$/);
    const fp16 = await modelAdd(['tiny/llama-8b', '--dtype', 'fp16', '--max-gib', '20', '--out', big.out, '--cache', big.cache]);
    // Past the check, the weights are fetched; these tiny ones do not match the 8 B config, which the converter says in one line.
    expect(hub.requestsFor('model.safetensors').some((r) => r.path.includes('llama-8b'))).toBe(true);
    expect(fp16.status).toBe(1);
    expect(fp16.lastLine).toBe('model:add: converting tiny/llama-8b failed: tensor model.embed_tokens.weight has shape [8192,16], expected [128256,4096]');
    expect(existsSync(big.out)).toBe(false);
    expect(readdirSync(join(big.out, '..'))).toEqual([]);
  });

  it('removes the hidden folder a killed run left beside the model folder', async () => {
    const { out, cache } = folders('abandoned');
    const gone = await new Promise<number>((done) => {
      const child = execFile(process.execPath, ['-e', '']);
      child.on('exit', () => done(child.pid!));
    });
    const abandoned = join(out, '..', `.model.incomplete-${gone}`);
    mkdirSync(join(abandoned, 'onnx'), { recursive: true });
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(result.status).toBe(0);
    expect(readdirSync(join(out, '..')).sort()).toEqual(['model', 'models.json']);
  });

  it('never replaces a folder that is not a model folder', async () => {
    const { out, cache } = folders('not-a-model');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const requestsBefore = hub.requests.length;
    const result = await modelAdd(['tiny/llama-chat', '--out', out, '--cache', cache]);
    expect(result.status).toBe(1);
    expect(result.lastLine).toBe(`model:add: ${out} exists and is not a model folder (no config.json): choose another --out`);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(hub.requests.length).toBe(requestsBefore); // refused before asking the Hub anything
  });
});
