// One HTTP request to the Hub, redirects followed by hand so the token goes to the Hub's own origin
// only (never to the storage host a large file redirects to), and the Hub's X-Linked-* headers, which
// sit on the redirect itself, are kept.
import { HubError, httpError, networkError, type RequestSubject } from './hub-errors';

const MAX_REDIRECTS = 5;

export interface HubResponse {
  response: Response;
  /** X-Linked-Size from the Hub's redirect (an LFS file's size), or null. */
  linkedSize: number | null;
  /** X-Linked-Etag from the Hub's redirect: an LFS file's sha256, or null. */
  linkedSha256: string | null;
}

export interface HubRequestOptions {
  method?: 'GET' | 'HEAD';
  /** Extra headers (Range), sent on every hop. */
  headers?: Record<string, string>;
  token: string | null;
  subject: RequestSubject;
  signal?: AbortSignal;
  /** Statuses handed back to the caller instead of thrown as a HubError (416 for a resumed download). */
  acceptStatuses?: number[];
}

/** GET/HEAD `url`, following redirects; throws a one-line HubError for network failures and HTTP errors. */
export async function hubRequest(url: string, options: HubRequestOptions): Promise<HubResponse> {
  const { method = 'GET', headers = {}, token, subject, signal, acceptStatuses = [] } = options;
  const hubOrigin = new URL(subject.endpoint).origin;
  let linkedSize: number | null = null;
  let linkedSha256: string | null = null;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sendToken = token !== null && new URL(current).origin === hubOrigin;
    let response: Response;
    try {
      response = await fetch(current, {
        method,
        redirect: 'manual',
        signal,
        headers: { ...headers, 'user-agent': 'live-llm-deck/model-add', ...(sendToken ? { authorization: `Bearer ${token}` } : {}) },
      });
    } catch (error) {
      throw networkError(error, new URL(current).origin === hubOrigin ? subject.endpoint : new URL(current).host);
    }
    linkedSize ??= sizeHeader(response.headers.get('x-linked-size'));
    linkedSha256 ??= sha256Header(response.headers.get('x-linked-etag'));
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current).toString();
      continue;
    }
    if (!response.ok && !acceptStatuses.includes(response.status)) {
      await response.body?.cancel();
      throw httpError(response.status, response.headers, subject);
    }
    return { response, linkedSize, linkedSha256 };
  }
  throw new HubError(`${subject.endpoint} redirected more than ${MAX_REDIRECTS} times for ${subject.file ?? subject.repo}`);
}

function sizeHeader(value: string | null): number | null {
  const size = value === null ? NaN : Number(value);
  return Number.isSafeInteger(size) && size >= 0 ? size : null;
}

/** The Hub quotes the etag (and may mark it weak); an LFS file's etag is its sha256 in hex. */
function sha256Header(value: string | null): string | null {
  const bare = value?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return bare && /^[0-9a-f]{64}$/.test(bare) ? bare : null;
}
