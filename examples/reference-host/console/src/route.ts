// The console's pages are addressed by the URL's hash (`#/invoices/inv_...`), so the host
// serves one page at `/`.
import { useEffect, useState } from 'react';

/** The hash's path, split: `#/invoices/x` is `['invoices', 'x']`. */
export function useRoute(): string[] {
  const read = () =>
    window.location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** Goes to `path` (`/invoices/x`). */
export function go(path: string) {
  window.location.hash = path;
}
