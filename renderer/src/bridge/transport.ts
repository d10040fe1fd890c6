// What both transports provide: invoke a channel and get its CallResult back, and subscribe to events.
import type { CallResult } from '../../../preload/contract/index.js';

export interface Transport {
  readonly kind: 'electron' | 'web';
  invoke(domain: string, method: string, request: unknown): Promise<CallResult<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Electron only. */
  pathForFile?(file: File): string | undefined;
}
