// Main's side of contract events: services emit typed events; transports (Electron windows, WebSocket clients)
// subscribe. Payloads are validated against the contract in tests, not on every emit (hot path).
import type { EventName, EventPayload } from '../../preload/contract/index.js';

export type EventListener = (name: EventName, payload: unknown) => void;

export interface EventSink {
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void;
}

export class EventHub implements EventSink {
  private readonly listeners = new Set<EventListener>();

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // A broken transport (closed window, dead socket) must not stop the others or the emitter.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
