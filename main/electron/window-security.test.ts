import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../security/content-security-policy.js';
import { APP_ENTRY_URL, externalLinkToOpen, isAllowedNavigation, isTrustedSender, webPreferences } from './window-security.js';

const mainSource = fs.readFileSync(path.join(import.meta.dirname, 'electron-main.ts'), 'utf8');
const preloadSource = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'preload', 'index.ts'), 'utf8');

describe('Electron hardening', () => {
  it('isolates and sandboxes the renderer with no Node integration', () => {
    const prefs = webPreferences('/x/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('the window is created with those preferences, sandboxing forced app-wide', () => {
    expect(mainSource).toMatch(/webPreferences:\s*webPreferences\(preloadPath\)/);
    expect(mainSource).toMatch(/app\.enableSandbox\(\)/);
  });

  it('blocks navigation away from the app and new windows; permissions denied', () => {
    expect(isAllowedNavigation(APP_ENTRY_URL)).toBe(true);
    expect(isAllowedNavigation('lathe-app://renderer/other.html')).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('lathe-app://evil/index.html')).toBe(false);
    expect(isAllowedNavigation('not a url')).toBe(false);
    expect(mainSource).toMatch(/'will-navigate'[\s\S]*preventDefault/);
    expect(mainSource).toMatch(/'will-redirect'[\s\S]*preventDefault/);
    expect(mainSource).toMatch(/setWindowOpenHandler\([\s\S]*action: 'deny'/);
    expect(mainSource).toMatch(/'will-attach-webview'[\s\S]*preventDefault/);
    expect(mainSource).toMatch(/setPermissionRequestHandler\([^)]*\) => callback\(false\)/);
    expect(externalLinkToOpen('https://huggingface.co/x')).toBe('https://huggingface.co/x');
    expect(externalLinkToOpen('http://example.com')).toBeUndefined();
    expect(externalLinkToOpen('file:///x')).toBeUndefined();
  });

  it('answers IPC only from the app frame, and only on contract channels', () => {
    expect(isTrustedSender(APP_ENTRY_URL)).toBe(true);
    expect(isTrustedSender('https://evil.example/')).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(mainSource).toMatch(/for \(const channel of b\.handlers\.channels\(\)\)/);
    expect(mainSource).toMatch(/isTrustedSender\(event\.senderFrame\?\.url\)/);
    // The preload exposes only contract-derived functions: no raw ipcRenderer, send or invoke passthrough.
    expect(preloadSource).toMatch(/exposeInMainWorld\('lathe'/);
    expect(preloadSource).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });

  it('a strict CSP: no inline script, no eval, no remote origins', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const html = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'; script-src 'self';/);
  });
});
