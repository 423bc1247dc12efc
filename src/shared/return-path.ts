// A placeholder origin: a path that resolves against it and keeps it cannot lead off the site.
const HERE = 'http://here.invalid';

// Control characters are dropped by browsers' URL parsers (`/\t/evil` becomes `//evil`); a backslash
// reads as a slash (`/\evil` becomes `//evil`).
function hasUnsafeCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === '\\') return true;
  }
  return false;
}

function decoded(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/**
 * The one check of a redirect target taken from the request (`next`, `return_to`): a path on this
 * site, or `/`. The path must parse to this origin and begin with exactly one slash, before and after
 * percent-decoding (a proxy or a later redirect may decode it once).
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || hasUnsafeCharacter(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, HERE);
  } catch {
    return '/';
  }
  if (url.origin !== HERE) return '/';
  const path = decoded(url.pathname);
  if (path === null || hasUnsafeCharacter(path) || path.startsWith('//')) return '/';
  return value;
}
