// Where the Hugging Face Hub is and who we are to it: HF_ENDPOINT, HF_TOKEN (as huggingface_hub reads
// them) and the Hub's documented URL layout for a repo's file list and its files.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_REVISION = 'main';

export interface HubSettings {
  /** The Hub's origin (and path, for a mirror under a sub-path), without a trailing slash. */
  endpoint: string;
  /** A user access token, or null; sent only to the endpoint's own origin, never printed. */
  token: string | null;
}

/** Reads HF_ENDPOINT and the token: HF_TOKEN, else the file `hf auth login` writes (HF_TOKEN_PATH or $HF_HOME/token). */
export function hubSettingsFromEnv(env: NodeJS.ProcessEnv): HubSettings {
  const endpoint = (env.HF_ENDPOINT?.trim() || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new Error(`HF_ENDPOINT must be an http(s) URL such as ${DEFAULT_ENDPOINT}, got ${JSON.stringify(env.HF_ENDPOINT)}`);
  }
  return { endpoint, token: tokenFromEnv(env) };
}

function tokenFromEnv(env: NodeJS.ProcessEnv): string | null {
  const fromVariable = env.HF_TOKEN?.trim();
  if (fromVariable) return fromVariable;
  const hfHome = env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  try {
    return readFileSync(env.HF_TOKEN_PATH || join(hfHome, 'token'), 'utf8').trim() || null;
  } catch {
    return null; // no saved login: anonymous, which is all a public repo needs
  }
}

/** `owner/name` as the Hub spells repo ids (a bare `name` is a legacy id such as `gpt2`). */
export function parseRepoId(text: string): { owner: string | null; name: string; id: string } | null {
  const match = /^(?:([A-Za-z0-9][\w.-]*)\/)?([A-Za-z0-9][\w.-]*)$/.exec(text.trim());
  if (!match || match[2].endsWith('.') || match[2].includes('--') || match[2].includes('..')) return null;
  return { owner: match[1] ?? null, name: match[2], id: match[1] ? `${match[1]}/${match[2]}` : match[2] };
}

/** The JSON file list (siblings) of one revision; `blobs=true` adds LFS sizes and sha256. */
export function revisionInfoUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

/** One file of one revision; large (LFS) files answer with a redirect to their storage. */
export function resolveUrl(endpoint: string, repo: string, revision: string, path: string): string {
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}

/** The repo's page, where a gated model's licence is accepted. */
export function repoPageUrl(endpoint: string, repo: string): string {
  return `${endpoint}/${repo}`;
}
