import { describe, expect, it } from 'vitest';
import { LatheError } from '../../preload/contract/errors.js';
import { backoffDelay, CorruptDownloadError, isRetryable, RetryableHttpError, statusError, withRetry } from './hub-http.js';

describe('retry policy', () => {
  it('doubles the delay with ±20 % jitter and caps it', () => {
    const p = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(p, n, () => 0.5))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffDelay(p, 1, () => 0)).toBe(800);
    expect(backoffDelay(p, 1, () => 1)).toBe(1200);
  });

  it('retries connection errors, 5xx and corrupt files, never 401/403/404 or a cancel', () => {
    expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryable(new RetryableHttpError(503, 'x'))).toBe(true);
    expect(isRetryable(new CorruptDownloadError('x'))).toBe(true);
    for (const s of [401, 403, 404]) expect(isRetryable(statusError(s, 'f', 'a/b', false))).toBe(false);
    expect(statusError(500, 'f', 'a/b', false)).toBeInstanceOf(RetryableHttpError);
    expect(statusError(429, 'f', 'a/b', false)).toBeInstanceOf(RetryableHttpError);
    expect(isRetryable(new LatheError('cancelled', 'x'))).toBe(false);
  });

  it('reads the Hub\'s X-Error-Code / X-Error-Message to say what is wrong', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(statusError(404, 'f', 'a/b', false, h({ 'X-Error-Code': 'RevisionNotFound' }))).toMatchObject({ code: 'not_found', message: expect.stringMatching(/no such revision/) });
    expect(statusError(404, 'config.json of a/b', 'a/b', false, h({ 'X-Error-Code': 'EntryNotFound' }))).toMatchObject({ code: 'not_found', message: expect.stringMatching(/config.json of a\/b is not in the repository/) });
    expect(statusError(401, 'f', 'a/b', false, h({ 'X-Error-Code': 'RepoNotFound' }))).toMatchObject({ code: 'not_found' });
    expect(statusError(403, 'f', 'a/b', true, h({ 'X-Error-Code': 'GatedRepo' }))).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/not been granted access/) });
    expect(statusError(401, 'f', 'a/b', true, h({ 'X-Error-Message': 'Invalid credentials in Authorization header' }))).toMatchObject({ message: expect.stringMatching(/not valid/) });
    expect(statusError(401, 'f', 'a/b', false)).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/gated or private/) });
  });

  it('withRetry stops after the last attempt and reports each retry', async () => {
    let calls = 0;
    const notes: number[] = [];
    const err = await withRetry(
      async () => {
        calls++;
        throw new RetryableHttpError(502, 'bad gateway');
      },
      { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      undefined,
      (n) => notes.push(n.attempt),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableHttpError);
    expect(calls).toBe(3);
    expect(notes).toEqual([1, 2]);
  });

  it('a cancel during the backoff wait ends with code cancelled', async () => {
    const c = new AbortController();
    const p = withRetry(async () => Promise.reject(new TypeError('fetch failed')), { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, c.signal);
    setTimeout(() => c.abort(), 10);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });
});
