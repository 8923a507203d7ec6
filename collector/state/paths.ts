// Path arithmetic for fd names and cwd, done on strings (the files may not exist here: they
// are another machine's, or long gone).

/** Joins `path` onto `base` (a directory, with or without a trailing slash) and normalises. */
export function resolvePath(base: string | null, path: string): string {
  if (path.length === 0) return path;
  if (path.charCodeAt(0) === 47 /* / */) return normalisePath(path);
  if (base === null || base.length === 0) return path;
  return normalisePath(base.endsWith('/') ? base + path : `${base}/${path}`);
}

/** Removes `.`, `..`, and repeated slashes; keeps a leading slash; never climbs above `/`. */
export function normalisePath(path: string): string {
  // Fast path: most absolute paths are already normal.
  if (path.indexOf('//') < 0 && path.indexOf('/.') < 0) return path;
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined;
}

/** A directory with the trailing slash Falco prints for proc.cwd. */
export function asDirectory(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
