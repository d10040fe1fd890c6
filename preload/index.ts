// The preload: exposes `window.lathe` (every contract call plus `on(event, cb)`) through contextBridge. Built from
// the contract's method lists, so nothing else of ipcRenderer ever reaches the page. Bundled to CommonJS (sandbox).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { contract } from './contract/index.js';
import { channelOf, EVENT_CHANNEL } from './contract/define.js';

type Listener = (payload: unknown) => void;

function buildApi(): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const [domain, def] of Object.entries(contract)) {
    const methods: Record<string, (request?: unknown) => Promise<unknown>> = {};
    for (const method of Object.keys(def.requests)) {
      const channel = channelOf(domain, method);
      // Answers arrive as CallResult objects; the renderer's client turns failures into LatheError.
      methods[method] = (request?: unknown) => ipcRenderer.invoke(channel, request ?? {});
    }
    api[domain] = Object.freeze(methods);
  }
  api.on = (event: string, listener: Listener): (() => void) => {
    if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('lathe.on(event, listener)');
    const wrapped = (_e: IpcRendererEvent, msg: { event: string; payload: unknown }) => {
      if (msg?.event === event) listener(msg.payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  };
  // A dropped or picked File's path on disk (Electron only; browsers never reveal paths, web mode uploads instead).
  api.pathForFile = (file: unknown): string => webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
  return api;
}

contextBridge.exposeInMainWorld('lathe', Object.freeze(buildApi()));
