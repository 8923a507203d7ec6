// User and group names. The files are read once at the edge (sources/system-files.ts, or a
// capture's user list) and their text or entries handed to the state engine.

export interface NameEntry {
  id: number;
  name: string;
}

/** Parses /etc/passwd or /etc/group text: `name:x:id:...` per line; bad lines are skipped. */
export function parseIdFile(text: string): NameEntry[] {
  const out: NameEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const id = Number(parts[2]);
    if (!Number.isInteger(id) || id < 0 || parts[0]!.length === 0) continue;
    out.push({ id, name: parts[0]! });
  }
  return out;
}
