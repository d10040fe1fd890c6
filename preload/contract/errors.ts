// The one error type that crosses the bridge, with a closed list of codes the renderer can act on.
// Does not log or format for people beyond the message: callers choose what to show.
import type { SerializedError } from './define.js';

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

export class LatheError extends Error {
  override readonly name = 'LatheError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return this.details === undefined
      ? { name: 'LatheError', code: this.code, message: this.message }
      : { name: 'LatheError', code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds the error on the receiving side of the bridge. */
  static fromSerialized(e: SerializedError): LatheError {
    const code = (ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as ErrorCode) : 'internal';
    return new LatheError(code, e.message, e.details);
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
