// Shared harness for the browser tests: builds the deck once per test file (vite build into a temp
// folder), serves it from a sub-path on 127.0.0.1 with a tiny static server, drives Debian's
// chromium through playwright-core (never a downloaded browser), and computes the same prompt in
// Node (loadModel + runTrace: the code behind `npm run trace -- --json`) to compare against.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadModel, type LoadedModel } from '../../src/engine/load-model';
import { runTrace } from '../../src/engine/run-trace';
import type { Trace } from '../../src/trace';
import { sendFile } from '../../src/cli/send-file';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Quiet, offline, headless: no background requests of chromium's own to muddle the request log. */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Enough here for navigator.gpu.requestAdapter() to return SwiftShader's (CPU) adapter. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu'];

/** The deck is served from this sub-path, so every test also checks that the build works from one. */
export const DECK_PATH = '/deck/';
export const MODELS_FOLDER = resolve(process.env.DECK_MODELS ?? 'assets/models');
export const MODEL_NAME = 'sotu-gpt';

export function modelFolderOrThrow(): string {
  const folder = join(MODELS_FOLDER, MODEL_NAME);
  if (!existsSync(join(folder, 'onnx', 'model.onnx'))) throw new Error(`no model at ${folder} (set DECK_MODELS to a folder holding ${MODEL_NAME}/)`);
  return folder;
}

/**
 * `vite build` in a child process (its own config load, as `npm run build` does) into a temp folder,
 * with the model folders of `modelsFolder` (default: the deck's own, which must hold sotu-gpt).
 */
export async function buildDeck(modelsFolder?: string): Promise<{ dir: string; remove(): void }> {
  if (modelsFolder === undefined) modelFolderOrThrow();
  const dir = mkdtempSync(join(tmpdir(), 'deck-build-'));
  await promisify(execFile)(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production', DECK_MODELS: modelsFolder ?? MODELS_FOLDER }, // what npm run build ships, not vitest's NODE_ENV=test
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
};

/** What the server answers instead of the file, for the failure tests. */
export type Override = { status: number; body: Buffer | string } | null;

export interface StaticServer {
  /** The deck's URL: http://127.0.0.1:<port>/deck/ */
  deckUrl: string;
  /** Paths that were requested, in order: relative to the deck, or absolute when outside it. */
  requested: string[];
  /** Those of them that asked for a byte range (transformers.js reads one byte to learn a file's size). */
  ranged: string[];
  close(): Promise<void>;
}

/** A static file server (written by hand: a few lines, exact MIME types, and a hook to break files). */
export async function serveFolder(dir: string, override: (path: string) => Override = () => null): Promise<StaticServer> {
  const requested: string[] = [];
  const ranged: string[] = [];
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!pathname.startsWith(DECK_PATH)) {
      requested.push(pathname); // outside the deck: recorded as an absolute path, and refused
      res.writeHead(404).end();
      return;
    }
    const path = pathname.slice(DECK_PATH.length) || 'index.html';
    requested.push(path);
    if (req.headers.range) ranged.push(path);
    const replaced = override(path);
    if (replaced) {
      res.writeHead(replaced.status, { 'Content-Type': 'application/octet-stream' }).end(replaced.body);
      return;
    }
    const file = resolve(dir, path);
    if (!file.startsWith(resolve(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    sendFile(req, res, file, contentTypes[extname(file)] ?? 'application/octet-stream');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    deckUrl: `http://127.0.0.1:${port}${DECK_PATH}`,
    requested,
    ranged,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export async function launchChromium(options: { webgpu: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...(options.webgpu ? WEBGPU_FLAGS : [])],
    ignoreDefaultArgs: ['--headless'], // we pass --headless=new ourselves
  });
}

export interface OpenDeck {
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** Every URL the page and its workers asked for. */
  requests: string[];
  /** Every console message of the page and its workers, for a failing test's report. */
  log: string[];
}

/** A fresh context (empty caches) with the deck open at `search` ("?backend=wasm&prompt=..."). */
export async function openDeck(browser: Browser, deckUrl: string, search = ''): Promise<OpenDeck> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const log: string[] = [];
  page.on('console', (message) => {
    log.push(`${message.type()}: ${message.text()}`);
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  context.on('request', (request) => requests.push(request.url()));
  page.on('worker', (worker) =>
    worker.on('console', (message) => {
      log.push(`worker ${message.type()}: ${message.text()}`);
      if (message.type() === 'error') errors.push(`worker: ${message.text()}`);
    }),
  );
  await page.goto(deckUrl + search);
  return { context, page, errors, requests, log };
}

/** Waits until the model is loaded and no run is pending. */
export async function waitForEngineIdle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const status = document.querySelector<HTMLElement>('#deck-status');
      return !!status && (status.dataset.phase === 'ready' || status.dataset.phase === 'failed') && status.dataset.running === 'false';
    },
    undefined,
    { timeout },
  );
}

/** Waits until the slides show the Trace of exactly `prompt`. */
export async function waitForTrace(page: Page, prompt: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const status = document.querySelector<HTMLElement>('#deck-status');
      return status?.dataset.running === 'false' && status.getAttribute('data-trace-prompt') === expected;
    },
    prompt,
    { timeout },
  );
}

/** Waits until both generations (with and without the KV cache) have finished and the KV-cache slide has compared them. */
export async function waitForGenerations(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const generation = document.querySelector('section#generation .generation-body');
      const kv = document.querySelector('section#kv-cache .kv-cache-body');
      // The run without the cache stops at its cap (uncachedLimit): compare that many steps at most.
      const limit = Number(document.querySelector('section#kv-cache .kv-uncached-cap')?.getAttribute('data-uncached-limit') ?? Infinity);
      const expected = Math.min(Number(generation?.getAttribute('data-generated')), limit);
      return generation?.getAttribute('data-done') === 'true' && kv?.getAttribute('data-compared') === String(expected);
    },
    undefined,
    { timeout },
  );
}

/** What a slide says about itself: a failure, a missing output, a waiting message (null when none), and how much text it shows. */
export async function slideState(page: Page, id: string): Promise<{ failed: string | null; missing: string | null; waiting: string | null; textLength: number }> {
  return page.evaluate((slideId) => {
    const section = document.getElementById(slideId)!;
    return {
      failed: section.querySelector('.slide-failed')?.textContent ?? null,
      missing: section.querySelector('.live-missing')?.textContent ?? null,
      waiting: section.querySelector('.live-waiting')?.textContent ?? null,
      textLength: section.textContent?.length ?? 0,
    };
  }, id);
}

/** Types into the first slide's prompt field as the presenter would, then Enter. */
export async function typePrompt(page: Page, prompt: string): Promise<void> {
  await page.fill('#title-prompt', prompt);
  await page.press('#title-prompt', 'Enter');
}

/** Sets the field's value in the page (for strings a keyboard cannot type, like a lone surrogate). */
export async function setPromptValue(page: Page, prompt: string): Promise<void> {
  await page.evaluate((value) => {
    const field = document.querySelector<HTMLTextAreaElement>('#title-prompt')!;
    field.value = value;
    field.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, prompt);
}

export interface SlideNumbers {
  tokenIds: number[];
  /** Next-token candidates in rank order. */
  topk: { id: number; prob: number }[];
  attention: { layer: number; head: number; cells: { query: number; key: number; prob: number }[] };
}

/** Reads the numbers the live slides expose as data-* attributes (see slides/03..05). */
export async function readSlideNumbers(page: Page): Promise<SlideNumbers> {
  return page.evaluate(() => {
    const chips = [...document.querySelectorAll<HTMLElement>('section#tokenization .token-row [data-token-id]')];
    const tokenIds = chips.sort((a, b) => Number(a.dataset.tokenIndex) - Number(b.dataset.tokenIndex)).map((chip) => Number(chip.dataset.tokenId));
    const topk = [...document.querySelectorAll<HTMLElement>('section#next-token [data-rank]')]
      .sort((a, b) => Number(a.dataset.rank) - Number(b.dataset.rank))
      .map((row) => ({ id: Number(row.dataset.tokenId), prob: Number(row.dataset.prob) }));
    const attentionRoot = document.querySelector<HTMLElement>('section#attention .slide-content')!;
    const cells = [...attentionRoot.querySelectorAll<Element>('[data-query][data-key][data-prob]')].map((cell) => ({
      query: Number(cell.getAttribute('data-query')),
      key: Number(cell.getAttribute('data-key')),
      prob: Number(cell.getAttribute('data-prob')),
    }));
    return { tokenIds, topk, attention: { layer: Number(attentionRoot.dataset.layer), head: Number(attentionRoot.dataset.head), cells } };
  });
}

/** The same prompt through the same engine code in Node (onnxruntime-node on the CPU). */
export class NodeReference {
  #loaded: Promise<LoadedModel> | null = null;

  /** The deck's own model by default; another folder of `modelsFolder` by name. */
  constructor(
    private readonly name = MODEL_NAME,
    private readonly modelsFolder = MODELS_FOLDER,
  ) {}

  async trace(prompt: string): Promise<Trace> {
    this.#loaded ??= loadModel({ name: this.name, modelRoot: this.modelsFolder + sep, backend: 'node-cpu' });
    return runTrace(await this.#loaded, prompt);
  }
}

/** softmax of the last position's logits: the probability of every token id. */
export function nextTokenProbs(trace: Trace): Float64Array {
  const logits = trace.lastLogits;
  let max = -Infinity;
  for (const value of logits) max = Math.max(max, value);
  const probs = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += probs[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) probs[i] /= sum;
  return probs;
}
