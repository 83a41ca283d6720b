// The set-up most browser test files share (vitest hooks, so it stays in tests/; the pieces are in
// src/browser/): the deck built, served and a chromium launched for the file, closed after.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildDeck, launchChromium, serveFolder, type Override, type StaticServer } from '../../src/browser';

export interface BuiltDeck {
  /** The build's folder. */
  dir: string;
  server: StaticServer;
  browser: Browser;
}

/**
 * For one test file: builds the deck, serves it (answering with `override` where it says so) and
 * launches chromium before its tests, and closes them all after. The fields are set once the file's
 * beforeAll has run.
 */
export function useBuiltDeck(options: { webgpu: boolean; override?: (path: string) => Override; hostAliases?: readonly string[] }): BuiltDeck {
  const deck = {} as BuiltDeck;
  let build: Awaited<ReturnType<typeof buildDeck>> | undefined;
  beforeAll(async () => {
    build = await buildDeck();
    deck.dir = build.dir;
    deck.server = await serveFolder(build.dir, options.override);
    deck.browser = await launchChromium(options);
  }, 300_000);
  afterAll(async () => {
    await deck.browser?.close();
    await deck.server?.close();
    build?.remove();
  });
  return deck;
}
