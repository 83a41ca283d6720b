// Debian's chromium through playwright-core (never a downloaded browser), for `npm run handout`,
// `npm run bench` and the browser tests.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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

/** Host names that resolve to this machine's 127.0.0.1: a deck opened at one is on plain http but not localhost, no secure context. */
export function hostAliasFlags(names: readonly string[]): string[] {
  return names.length === 0 ? [] : [`--host-resolver-rules=${names.map((name) => `MAP ${name} 127.0.0.1`).join(', ')}`];
}

export async function launchChromium(options: { webgpu: boolean; hostAliases?: readonly string[] }): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...(options.webgpu ? WEBGPU_FLAGS : []), ...hostAliasFlags(options.hostAliases ?? [])],
    ignoreDefaultArgs: ['--headless'], // we pass --headless=new ourselves
  });
}
