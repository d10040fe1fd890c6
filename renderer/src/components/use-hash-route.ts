// The current page from the URL hash (#projects), so reload and back/forward keep the user's place.
import { useEffect, useState } from 'react';

export function useHashRoute(known: readonly string[], fallback: string): [string, (id: string) => void] {
  const read = () => {
    const id = globalThis.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
    return known.includes(id) ? id : fallback;
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    globalThis.addEventListener('hashchange', onChange);
    return () => globalThis.removeEventListener('hashchange', onChange);
  });
  return [route, (id) => (globalThis.location.hash = `#${id}`)];
}
