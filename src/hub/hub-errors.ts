// Turns what can go wrong talking to the Hub into one line a presenter can act on (never a stack trace).
import { repoPageUrl } from './hub-endpoint';

/** An error whose message is the one line shown to the user as is. */
export class HubError extends Error {
  override name = 'HubError';
}

/** What a request was for, so a 404 can say which of repo, revision or file is missing. */
export interface RequestSubject {
  endpoint: string;
  repo: string;
  revision: string;
  /** The file asked for; absent for the file list. */
  file?: string;
  /** Whether a token was sent (a 401/403 then means the wrong token or an unaccepted licence). */
  withToken: boolean;
}

// The codes node and undici give a failed connection, in words.
const networkCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed (no DNS?)',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the download stalled',
  UND_ERR_SOCKET: 'connection closed mid-transfer',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate cannot be verified (a proxy?)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
};

/** The innermost error code of a failed fetch (undici wraps it in `cause`, sometimes an AggregateError). */
function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const record = current as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof record.code === 'string') return record.code;
    if (record.name === 'TimeoutError') return 'UND_ERR_HEADERS_TIMEOUT';
    current = record.cause ?? record.errors?.[0];
  }
  return null;
}

/** The innermost message ("fetch failed" says nothing; its cause says why). */
function innermostMessage(error: unknown): string {
  let current = error as { message?: unknown; cause?: unknown } | null;
  let message = String(error);
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if (typeof current.message === 'string' && current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

/** A request that got no HTTP answer at all: "cannot reach <endpoint>: connection refused". */
export function networkError(error: unknown, host: string): HubError {
  if (error instanceof HubError) return error;
  const code = errorCode(error);
  const message = innermostMessage(error);
  // fetch refuses the ports browsers block (e.g. 6000, 6667), whatever answers there.
  const reason = code ? (networkCodes[code] ?? code) : message === 'bad port' ? 'fetch refuses this port (one browsers block); use another' : message;
  return new HubError(`cannot reach ${host}: ${reason}`);
}

/** A non-2xx answer from the Hub, read with its X-Error-Code header as huggingface_hub does. */
export function httpError(status: number, headers: Headers, subject: RequestSubject): HubError {
  const { endpoint, repo, revision, file, withToken } = subject;
  const code = headers.get('x-error-code');
  const where = file ? `${file} of ${repo}` : repo;
  if (code === 'RepoNotFound') {
    return new HubError(
      withToken
        ? `${repo} not found on ${endpoint} (or HF_TOKEN cannot read it): check the name`
        : `${repo} not found on ${endpoint}: check the name (a private repo needs HF_TOKEN)`,
    );
  }
  if (code === 'RevisionNotFound') return new HubError(`${repo} has no revision "${revision}" (a branch, tag or commit)`);
  if (code === 'EntryNotFound' || (status === 404 && file)) return new HubError(`${repo} has no file ${file} at revision "${revision}"`);
  if (status === 404) return new HubError(`${repo} or its revision "${revision}" not found on ${endpoint}`);
  if (code === 'GatedRepo' || status === 401 || status === 403) {
    const page = repoPageUrl(endpoint, repo);
    return new HubError(
      withToken
        ? `${repo} is gated: accept its licence on ${page} with the account whose token is in HF_TOKEN (${status} for ${where})`
        : `${repo} is gated: accept its licence on ${page} and set HF_TOKEN (${status} for ${where})`,
    );
  }
  if (status === 416) return new HubError(`${endpoint} refused the byte range asked for ${where} (416)`);
  if (status === 429) return new HubError(`${endpoint} is rate-limiting this machine (429): wait a minute and run again`);
  if (status >= 500) return new HubError(`${endpoint} answered ${status} for ${where}: the Hub is having trouble, try again later`);
  return new HubError(`${endpoint} answered ${status} for ${where}`);
}
