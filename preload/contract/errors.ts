// The one error type that crosses the bridge, with a closed list of codes the renderer can act on.
// Does not log or format for people beyond the message: callers choose what to show.
// A message a person may see can carry `text` ({code, params}): the renderer shows `main.<code>` in the user's language
// and falls back to the English message (message-code.ts; codes are listed in main by each thrower's `*_CODES`).
import type { SerializedError } from './define.js';
import type { MessageParams } from './message-code.js';

export const ERROR_CODES = [
  'invalid_request', // the payload failed validation at the boundary
  'unknown_method', // no such channel
  'not_found',
  'already_exists',
  'bad_input', // a user file or value we cannot use; details name file/row/column
  'unsupported',
  'cancelled',
  'conflict', // the object is in a state that forbids this (e.g. deleting a running run)
  'io_error',
  'workspace_too_new', // lathe.db written by a newer Lathe
  'migration_failed',
  'engine_error',
  'forbidden',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The translatable form of an error's message: `main.<code>` filled with `params` reads as the English message. */
export interface ErrorText {
  readonly code: string;
  readonly params: MessageParams;
}

/** A typed maker of ErrorTexts for one thrower's code list: a code missing from the list does not compile. */
export function errorText<C extends string>(_codes: readonly C[]): (code: C, params?: MessageParams) => ErrorText {
  return (code, params = {}) => ({ code, params });
}

export class LatheError extends Error {
  override readonly name = 'LatheError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly text?: ErrorText,
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return {
      name: 'LatheError',
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.text ? { messageCode: this.text.code, messageParams: this.text.params } : {}),
    };
  }

  /** Rebuilds the error on the receiving side of the bridge. */
  static fromSerialized(e: SerializedError): LatheError {
    const code = (ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as ErrorCode) : 'internal';
    return new LatheError(code, e.message, e.details, e.messageCode ? { code: e.messageCode, params: e.messageParams ?? {} } : undefined);
  }

  /** Anything thrown, as a LatheError: unexpected errors keep their message but not their stack. */
  static from(err: unknown): LatheError {
    if (err instanceof LatheError) return err;
    if (err instanceof Error) return new LatheError('internal', err.message);
    return new LatheError('internal', String(err));
  }
}

export function isSerializedError(v: unknown): v is SerializedError {
  return typeof v === 'object' && v !== null && (v as { name?: unknown }).name === 'LatheError' && typeof (v as { code?: unknown }).code === 'string';
}
