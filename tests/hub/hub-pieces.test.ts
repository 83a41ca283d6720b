// The pieces of model:add that need no server: endpoint and token settings, URLs, which files are
// fetched, the one-line error messages, the size check on published configs, and the progress lines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BROWSER_MAX_WEIGHTS_GIB, checkCheckpointFits } from '../../src/hub/checkpoint-fit';
import { hubSettingsFromEnv, parseRepoId, resolveUrl, revisionInfoUrl } from '../../src/hub/hub-endpoint';
import { httpError, networkError } from '../../src/hub/hub-errors';
import { parseRevisionInfo, selectFiles, shardsOfIndex } from '../../src/hub/hub-files';
import { FileProgress, formatBytes, formatDuration, formatProgress } from '../../src/hub/progress';
import { GEMMA_2B_CONFIG, LLAMA_3_2_1B_CONFIG, MISTRAL_7B_V0_1_CONFIG, QWEN2_5_0_5B_INSTRUCT_CONFIG, SMOLLM2_360M_INSTRUCT_CONFIG } from '../fixtures/published-configs';

const work = mkdtempSync(join(tmpdir(), 'hub-pieces-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Hub settings and URLs', () => {
  it('reads HF_ENDPOINT (default huggingface.co, no trailing slash) and the token from HF_TOKEN or the saved login', () => {
    const home = join(work, 'home');
    mkdirSync(home);
    expect(hubSettingsFromEnv({ HF_HOME: home })).toEqual({ endpoint: 'https://huggingface.co', token: null });
    expect(hubSettingsFromEnv({ HF_HOME: home, HF_ENDPOINT: 'https://hf-mirror.com/' }).endpoint).toBe('https://hf-mirror.com');
    expect(() => hubSettingsFromEnv({ HF_HOME: home, HF_ENDPOINT: 'hf-mirror.com' })).toThrow('HF_ENDPOINT must be an http(s) URL such as https://huggingface.co, got "hf-mirror.com"');
    writeFileSync(join(home, 'token'), 'hf_saved\n');
    expect(hubSettingsFromEnv({ HF_HOME: home }).token).toBe('hf_saved');
    expect(hubSettingsFromEnv({ HF_HOME: home, HF_TOKEN: 'hf_env' }).token).toBe('hf_env');
    writeFileSync(join(work, 'other-token'), 'hf_path');
    expect(hubSettingsFromEnv({ HF_HOME: home, HF_TOKEN_PATH: join(work, 'other-token') }).token).toBe('hf_path');
  });

  it('accepts owner/name (and legacy bare names), refuses anything that could escape a URL or folder', () => {
    expect(parseRepoId('HuggingFaceTB/SmolLM2-360M-Instruct')).toEqual({ owner: 'HuggingFaceTB', name: 'SmolLM2-360M-Instruct', id: 'HuggingFaceTB/SmolLM2-360M-Instruct' });
    expect(parseRepoId('distilgpt2')).toEqual({ owner: null, name: 'distilgpt2', id: 'distilgpt2' });
    for (const bad of ['', 'a/b/c', '../etc', 'owner/..', 'owner/na me', 'owner/a--b', '/name', 'owner/']) expect(parseRepoId(bad), bad).toBeNull();
  });

  it('builds the Hub layout: the file list with blobs, resolve/<revision>/<path> with the revision escaped', () => {
    expect(revisionInfoUrl('https://huggingface.co', 'Qwen/Qwen2.5-0.5B-Instruct', 'main')).toBe('https://huggingface.co/api/models/Qwen/Qwen2.5-0.5B-Instruct/revision/main?blobs=true');
    expect(resolveUrl('https://huggingface.co', 'a/b', 'refs/pr/1', 'onnx/model file.onnx')).toBe('https://huggingface.co/a/b/resolve/refs%2Fpr%2F1/onnx/model%20file.onnx');
  });
});

describe('which files are fetched', () => {
  const listing = (names: string[], lfs: Record<string, number> = {}) =>
    parseRevisionInfo({ sha: 'a'.repeat(40), siblings: names.map((rfilename) => ({ rfilename, ...(lfs[rfilename] ? { lfs: { size: lfs[rfilename], sha256: 'B'.repeat(64) } } : {}) })) }, 'o/r');

  it('takes config, tokenizer, chat template and model.safetensors, and nothing else', () => {
    const info = listing(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'model.safetensors', 'pytorch_model.bin', 'onnx/model.onnx', 'README.md'], { 'model.safetensors': 1234 });
    const selection = selectFiles(info, 'o/r');
    expect(selection.companions.map((file) => file.path)).toEqual(['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']);
    expect(selection.weights).toEqual({ kind: 'single', file: { path: 'model.safetensors', size: 1234, sha256: 'b'.repeat(64) } });
    expect(info.commit).toBe('a'.repeat(40));
  });

  it('reads the shards an index names, once each, and refuses shards outside the repo or the folder', () => {
    const info = listing(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(selectFiles(info, 'o/r').weights.kind).toBe('sharded');
    const index = { weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' } };
    expect(shardsOfIndex(index, info, 'o/r').map((file) => file.path)).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(() => shardsOfIndex({ weight_map: { a: '../../x.safetensors' } }, info, 'o/r')).toThrow(/odd shard/);
    expect(() => shardsOfIndex({ weight_map: { a: 'model-00003-of-00003.safetensors' } }, info, 'o/r')).toThrow(/which the repo does not have/);
  });

  it('says what a repo lacks', () => {
    expect(() => selectFiles(listing(['config.json', 'model.safetensors']), 'o/r')).toThrow('o/r has no tokenizer.json, tokenizer_config.json: a model folder needs config.json and a fast tokenizer (tokenizer.json, tokenizer_config.json)');
  });
});

describe('one-line errors', () => {
  const subject = { endpoint: 'https://huggingface.co', repo: 'meta-llama/Llama-3.2-1B-Instruct', revision: 'main', withToken: false };
  const headers = (code?: string) => new Headers(code ? { 'x-error-code': code } : {});

  it('tells repo, revision and file apart by X-Error-Code, and a gated repo by its status', () => {
    expect(httpError(401, headers('RepoNotFound'), subject).message).toBe('meta-llama/Llama-3.2-1B-Instruct not found on https://huggingface.co: check the name (a private repo needs HF_TOKEN)');
    expect(httpError(404, headers('RevisionNotFound'), { ...subject, revision: 'v2' }).message).toBe('meta-llama/Llama-3.2-1B-Instruct has no revision "v2" (a branch, tag or commit)');
    expect(httpError(404, headers('EntryNotFound'), { ...subject, file: 'tokenizer.json' }).message).toBe('meta-llama/Llama-3.2-1B-Instruct has no file tokenizer.json at revision "main"');
    expect(httpError(403, headers('GatedRepo'), { ...subject, file: 'config.json', withToken: true }).message).toBe(
      'meta-llama/Llama-3.2-1B-Instruct is gated: accept its licence on https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct with the account whose token is in HF_TOKEN (403 for config.json of meta-llama/Llama-3.2-1B-Instruct)',
    );
    expect(httpError(503, headers(), subject).message).toMatch(/answered 503 .* try again later/);
  });

  it('names the network failure from the code undici nests in `cause`', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(networkError(refused, 'https://huggingface.co').message).toBe('cannot reach https://huggingface.co: connection refused');
    const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }) });
    expect(networkError(dns, 'https://huggingface.co').message).toBe('cannot reach https://huggingface.co: host not found');
    const both = new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'ETIMEDOUT' })]) });
    expect(networkError(both, 'https://huggingface.co').message).toBe('cannot reach https://huggingface.co: connection timed out');
    expect(networkError(new DOMException('timed out', 'TimeoutError'), 'https://huggingface.co').message).toBe('cannot reach https://huggingface.co: no answer in time');
    // No code: the innermost message, never the bare "fetch failed".
    expect(networkError(new TypeError('fetch failed', { cause: new Error('bad port') }), 'http://127.0.0.1:6000').message).toBe('cannot reach http://127.0.0.1:6000: fetch refuses this port (one browsers block); use another');
    expect(networkError(new TypeError('fetch failed', { cause: new Error('unknown scheme') }), 'ftp://x').message).toBe('cannot reach ftp://x: unknown scheme');
  });
});

describe('the size check, from published config.json files alone', () => {
  it('passes the chat models a browser holds and says their sizes', () => {
    expect(checkCheckpointFits(SMOLLM2_360M_INSTRUCT_CONFIG, 'HuggingFaceTB/SmolLM2-360M-Instruct', 'fp32', BROWSER_MAX_WEIGHTS_GIB)).toMatchObject({ family: 'llama', parameterCount: 361_821_120 });
    expect(checkCheckpointFits(QWEN2_5_0_5B_INSTRUCT_CONFIG, 'Qwen/Qwen2.5-0.5B-Instruct', 'fp32', BROWSER_MAX_WEIGHTS_GIB)).toMatchObject({ family: 'qwen2', convertedBytes: 4 * 494_032_768 });
    expect(checkCheckpointFits(LLAMA_3_2_1B_CONFIG, 'meta-llama/Llama-3.2-1B-Instruct', 'fp16', BROWSER_MAX_WEIGHTS_GIB).convertedBytes).toBe(2 * 1_235_814_400);
  });

  it('refuses Llama 3.2 1B in float32 (4.60 GiB, over the 4 GiB of 32-bit WebAssembly) and suggests fp16', () => {
    expect(() => checkCheckpointFits(LLAMA_3_2_1B_CONFIG, 'meta-llama/Llama-3.2-1B-Instruct', 'fp32', BROWSER_MAX_WEIGHTS_GIB)).toThrow(
      "meta-llama/Llama-3.2-1B-Instruct will not fit: llama, 1.24 B parameters: 4.60 GiB in float32, 2.30 GiB in float16, more than the 4 GiB a browser's 32-bit WebAssembly memory holds (fp32); try --dtype fp16, or --max-gib to convert anyway",
    );
    const fullAttention = { ...MISTRAL_7B_V0_1_CONFIG, sliding_window: null };
    expect(() => checkCheckpointFits(fullAttention, 'mistralai/Mistral-7B-v0.1', 'fp16', BROWSER_MAX_WEIGHTS_GIB)).toThrow(/will not fit: mistral, 7\.24 B parameters: .*--max-gib converts it anyway/);
  });

  it('names an unsupported family, and passes on the converter\'s own refusals in one line', () => {
    expect(() => checkCheckpointFits(MISTRAL_7B_V0_1_CONFIG, 'mistralai/Mistral-7B-v0.1', 'fp16', BROWSER_MAX_WEIGHTS_GIB)).toThrow(/^mistralai\/Mistral-7B-v0\.1 cannot be converted: mistral with sliding_window 4096 is not supported[^\n]*$/);
    expect(() => checkCheckpointFits(GEMMA_2B_CONFIG, 'google/gemma-2b', 'fp32', BROWSER_MAX_WEIGHTS_GIB)).toThrow(/^google\/gemma-2b cannot be converted: .*gemma/i);
  });
});

describe('progress', () => {
  it('formats bytes, durations and a bar with rate and time left', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(4.6 * 2 ** 30)).toBe('4.60 GiB');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatProgress({ name: 'model.safetensors', done: 2 ** 29, total: 2 ** 30, bytesPerSecond: 2 ** 24 })).toBe(
      'model.safetensors [############............]  50%  512.0 MiB / 1.00 GiB  16.0 MiB/s  0:32 left',
    );
    expect(formatProgress({ name: 'x', done: 10, total: null, bytesPerSecond: 0 })).toBe('x  10 B  -- /s');
  });

  it('redraws one line on a terminal and writes plain start/end lines otherwise', () => {
    const written: string[] = [];
    const plain = new FileProgress({ write: (text: string) => written.push(text), isTTY: false }, 'model.safetensors', 2048, 1024);
    plain.update(2048);
    plain.finish();
    expect(written[0]).toBe('downloading model.safetensors (2.00 KiB, resuming at 1.00 KiB)\n');
    expect(written[1]).toMatch(/^downloaded model\.safetensors \(2\.00 KiB in \d+\.\d s, .*\/s\)\n$/);
    expect(written).toHaveLength(2);

    const terminal: string[] = [];
    const tty = new FileProgress({ write: (text: string) => terminal.push(text), isTTY: true }, 'config.json', 100, 0);
    tty.update(100);
    tty.finish();
    expect(terminal.every((text) => text === '\n' || text.startsWith('\r\x1b[2K'))).toBe(true);
    expect(terminal.at(-2)).toMatch(/config\.json \[#{24}\] 100%/);
    expect(terminal.at(-1)).toBe('\n');
  });
});
