// The Content-Security-Policy for the renderer, one definition for Electron (response header and meta tag) and for
// web mode (header, narrowed to the server's own WebSocket origin). No inline scripts, no eval, no remote content.
export function contentSecurityPolicy(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // React sets style attributes; no inline <style> from untrusted sources reaches the page.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${connectSrc.length ? ` ${connectSrc.join(' ')}` : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
