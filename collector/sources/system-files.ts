// The host's identity and its user and group names, read once at the edge and handed down
// (the state engine never reads files). Paths are options so tests and containers can point
// elsewhere (a collector in a container reads the host's /etc through a mount).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Host } from '../../schemas/types.generated.js';
import { SourceError } from '../errors.js';
import { parseIdFile, type NameEntry } from '../state/users.js';

export interface SystemFilesOptions {
  machineIdPath?: string;
  passwdPath?: string;
  groupPath?: string;
  /** Overrides os.hostname(). */
  hostname?: string;
}

export interface SystemFiles {
  host: Host;
  users: NameEntry[];
  groups: NameEntry[];
}

export function readSystemFiles(options: SystemFilesOptions = {}): SystemFiles {
  const machineIdPath = options.machineIdPath ?? '/etc/machine-id';
  let id: string;
  try {
    id = readFileSync(machineIdPath, 'utf8').trim();
  } catch (err) {
    throw new SourceError(`cannot read the host id from ${machineIdPath}: ${(err as Error).message}`, { cause: err });
  }
  if (!/^[0-9a-f]{32}$/.test(id)) throw new SourceError(`${machineIdPath} does not hold a machine id (32 hex digits)`);
  const readList = (path: string): NameEntry[] => {
    try {
      return parseIdFile(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new SourceError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    host: { id, name: options.hostname ?? hostname() },
    users: readList(options.passwdPath ?? '/etc/passwd'),
    groups: readList(options.groupPath ?? '/etc/group'),
  };
}
