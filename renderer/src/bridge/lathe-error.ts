// The renderer's copy of the bridge's error: rebuilt from the serialised {name, code, message, details}.
// (The renderer imports the contract's types only, so this small class lives here.)
import type { ErrorCode, SerializedError } from '../../../preload/contract/index.js';

export class LatheError extends Error {
  override readonly name = 'LatheError';
  constructor(
    readonly code: ErrorCode | 'disconnected',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  static fromSerialized(e: SerializedError): LatheError {
    return new LatheError(e.code as ErrorCode, e.message, e.details);
  }
}

/** What to show a person for any failure: our message, never a stack trace. */
export function messageOf(err: unknown): string {
  if (err instanceof LatheError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
