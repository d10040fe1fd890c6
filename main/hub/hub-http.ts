// HTTP to a hub: one GET with the hub's headers, status codes turned into LatheErrors people can act on, and
// retry with exponential backoff for what is worth retrying (connection errors, 5xx, 429) but never 401/403/404.
// Does not read bodies beyond error messages; downloading and resuming are file-download.ts's job.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorText, LatheError } from '../../preload/contract/errors.js';

/** The codes of this file's errors that people see (the renderer has a `main.<code>` text for each; a test checks). */
export const HUB_ERROR_CODES = ['err.hub.noRevision', 'err.hub.badToken', 'err.hub.gatedNotGranted', 'err.hub.gatedNoToken', 'err.hub.noRepoWithToken', 'err.hub.noRepo', 'err.hub.refusedWithToken', 'err.hub.refused'] as const;
const errText = errorText(HUB_ERROR_CODES);

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time, with ±20 % jitter, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** An HTTP status that a retry can fix. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** An error a retry may fix: connection refused/reset/dropped, timeouts, and RetryableHttpError. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryableHttpError || err instanceof CorruptDownloadError) return true;
  if (err instanceof LatheError) return false;
  if (isAbort(err)) return false;
  // fetch reports network failures as TypeError('fetch failed', { cause }); body streams as plain errors with codes.
  return err instanceof Error;
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}

/** A whole file whose size or checksum is not what the hub said: the bad bytes are deleted and the file fetched again. */
export class CorruptDownloadError extends Error {}

export class RetryableHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export interface RetryNotice {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/** Runs `work` until it succeeds, fails for good, or the policy is spent; waits with backoff in between. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy, signal?: AbortSignal, onRetry?: (n: RetryNotice) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (signal?.aborted) throw cancelled();
      if (!isRetryable(err) || attempt >= policy.attempts) throw err;
      const delayMs = backoffDelay(policy, attempt);
      onRetry?.({ attempt, delayMs, reason: reasonOf(err) });
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        throw cancelled();
      }
    }
  }
}

export function cancelled(): LatheError {
  return new LatheError('cancelled', 'The download was cancelled. Start it again to resume where it stopped.');
}

export function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${err.message} (${cause.code})` : cause?.message ? `${err.message}: ${cause.message}` : err.message;
}

/**
 * Turns a non-success status into the error to throw: LatheError for what a person must fix (token, name),
 * RetryableHttpError for what may pass. The Hugging Face Hub names the case in `X-Error-Code` (GatedRepo,
 * RepoNotFound, RevisionNotFound, EntryNotFound) and `X-Error-Message` (huggingface_hub's utils/_http.py reads the
 * same headers); it answers 401 for missing, private and gated repos alike when no token is sent. Other hubs and
 * mirrors may send neither header: then the status decides.
 */
export function statusError(status: number, what: string, repo: string, hasToken: boolean, headers?: Headers): Error {
  const code = headers?.get('x-error-code') ?? null;
  const hubMessage = headers?.get('x-error-message') ?? '';
  const details = { status, repo, ...(code ? { hubCode: code } : {}) };
  if (code === 'RevisionNotFound') return new LatheError('not_found', `${repo} has no such revision (HTTP ${status}). Check the branch, tag or commit.`, details, errText('err.hub.noRevision', { repo, status }));
  if (code === 'EntryNotFound') return new LatheError('not_found', `${what} is not in the repository (HTTP ${status}).`, details);
  if (/invalid credentials/i.test(hubMessage)) {
    return new LatheError('forbidden', `The hub says the access token is not valid (HTTP ${status}). Create a new read token in your hub account's settings and add it again.`, details, errText('err.hub.badToken', { status }));
  }
  if (code === 'GatedRepo') {
    return new LatheError(
      'forbidden',
      hasToken
        ? `${repo} is gated, and the account of your access token has not been granted access yet (HTTP ${status}). Accept its licence on the model's page with that account (approval can take a while), then try again.`
        : `${repo} is gated (HTTP ${status}): accept its licence on the model's page, then add an access token in Lathe (Models → Access tokens) or set HF_TOKEN.`,
      details,
      errText(hasToken ? 'err.hub.gatedNotGranted' : 'err.hub.gatedNoToken', { repo, status }),
    );
  }
  if (code === 'RepoNotFound') {
    return new LatheError(
      'not_found',
      hasToken
        ? `There is no model ${repo} that your access token can see (HTTP ${status}). Check the name and the source (Hugging Face or ModelScope).`
        : `There is no model ${repo} on this hub, or it is private or gated and needs an access token (HTTP ${status}). Check the name and the source.`,
      details,
      errText(hasToken ? 'err.hub.noRepoWithToken' : 'err.hub.noRepo', { repo, status }),
    );
  }
  if (status === 401 || status === 403) {
    const msg = hasToken
      ? `The hub refused access to ${repo} (HTTP ${status}) with the access token you gave. It may be gated: accept its licence on the model's page with the same account, or check the token has read access.`
      : `${repo} is gated or private (HTTP ${status}): accept its licence on the model's page, then add an access token in Lathe (Models → Access tokens) or set HF_TOKEN.`;
    return new LatheError('forbidden', msg, details, errText(hasToken ? 'err.hub.refusedWithToken' : 'err.hub.refused', { repo, status }));
  }
  if (status === 404) return new LatheError('not_found', `${what} was not found on the hub (HTTP 404). Check the model name, revision and endpoint.`, details);
  if (isRetryableStatus(status)) return new RetryableHttpError(status, `${what}: the hub answered HTTP ${status}`);
  return new LatheError('io_error', `${what}: the hub answered HTTP ${status}.`, details);
}

/** GET with the hub's headers; redirects followed (fetch drops Authorization on cross-origin redirects). */
export async function hubGet(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    if (signal?.aborted) throw cancelled();
    throw err;
  }
}

/** How long a metadata request (file listing) may take before it is retried. */
export const JSON_TIMEOUT_MS = 60_000;

/** GET a JSON document, with retries; an answer that takes longer than `timeoutMs` is retried too. */
const USER_AGENT = 'Lathe (model download)';

/** The headers every hub request carries: our user agent, and the access token when there is one. */
export function hubHeaders(token: string | null): Record<string, string> {
  return token ? { 'User-Agent': USER_AGENT, Authorization: `Bearer ${token}` } : { 'User-Agent': USER_AGENT };
}

export async function hubGetJson<T>(url: string, headers: Record<string, string>, what: string, repo: string, policy: RetryPolicy, signal?: AbortSignal, timeoutMs = JSON_TIMEOUT_MS): Promise<T> {
  return withRetry(
    async () => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        const res = await hubGet(url, headers, both);
        if (!res.ok) {
          await res.body?.cancel();
          throw statusError(res.status, what, repo, 'authorization' in lowerKeys(headers), res.headers);
        }
        try {
          return (await res.json()) as T;
        } catch (err) {
          if (timeout.aborted) throw err;
          throw new RetryableHttpError(res.status, `${what}: the answer was not JSON (${(err as Error).message})`);
        }
      } catch (err) {
        if (timeout.aborted && !signal?.aborted) throw new RetryableHttpError(0, `${what}: no answer within ${Math.round(timeoutMs / 1000)} s`);
        throw err;
      }
    },
    policy,
    signal,
  );
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
