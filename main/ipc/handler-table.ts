// An in-process IpcLike: a table of channel → handler. Web mode's WebSocket server dispatches through it, and
// tests call it directly. Unknown channels answer with a typed error, never a throw.
import type { CallResult } from '../../preload/contract/define.js';
import { LatheError } from '../../preload/contract/errors.js';
import type { CallerInfo, Handler, IpcLike } from './ipc-like.js';

export class HandlerTable implements IpcLike {
  private readonly handlers = new Map<string, Handler>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Channel registered twice: ${channel}`);
    this.handlers.set(channel, handler);
  }

  channels(): string[] {
    return [...this.handlers.keys()];
  }

  async invoke(caller: CallerInfo, channel: unknown, payload: unknown): Promise<CallResult<unknown>> {
    const handler = typeof channel === 'string' ? this.handlers.get(channel) : undefined;
    if (!handler) return { ok: false, error: new LatheError('unknown_method', `No such call: ${String(channel).slice(0, 100)}`).toJSON() };
    return (await handler(caller, payload)) as CallResult<unknown>;
  }
}
