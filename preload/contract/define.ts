// The shape every domain of the contract takes: request schemas keyed exactly by the service interface's
// methods, and event schemas. Types and zod only; no runtime dependency on Electron, Node or the DOM.
import type { z } from 'zod';

/** Every call takes one request object and resolves to a serialisable DTO. */
export type ServiceShape<I> = { [K in keyof I]: (request: never) => Promise<unknown> };

/** Request schema of method K of service I. */
export type RequestOf<I, K extends keyof I> = I[K] extends (request: infer R) => Promise<unknown> ? R : never;
export type ResponseOf<I, K extends keyof I> = I[K] extends (request: never) => Promise<infer R> ? R : never;

/**
 * One domain of the bridge. `requests` must name every method of I (and nothing else: `satisfies` rejects
 * extra keys), so the list of channels cannot drift from the interface main implements.
 */
export interface DomainContract<I> {
  readonly name: string;
  readonly requests: { readonly [K in keyof I]-?: z.ZodType<RequestOf<I, K>, unknown> };
  readonly events: { readonly [event: string]: z.ZodType };
}

/** Channel names: `lathe:<domain>.<method>` for calls; events travel on one channel as `<domain>.<event>`. */
export const CHANNEL_PREFIX = 'lathe:';
export const EVENT_CHANNEL = 'lathe:event';

export function channelOf(domain: string, method: string): string {
  return `${CHANNEL_PREFIX}${domain}.${method}`;
}

/** Splits `lathe:<domain>.<method>`; null when the channel is not one of ours. */
export function parseChannel(channel: string): { domain: string; method: string } | null {
  if (!channel.startsWith(CHANNEL_PREFIX)) return null;
  const rest = channel.slice(CHANNEL_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return null;
  return { domain: rest.slice(0, dot), method: rest.slice(dot + 1) };
}

/** What crosses the bridge in answer to a call. */
export type CallResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedError };

export interface SerializedError {
  readonly name: 'LatheError';
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
  /** The message's translatable code and params (errors.ts ErrorText); absent where main has none. */
  readonly messageCode?: string;
  readonly messageParams?: Readonly<Record<string, string | number>>;
}
