// A deterministic stream of events for the pipeline benchmark and the Kafka tests. Event i:
//   i % 10 === 0  opens /etc/shadow        -> 'Pipeline secret file read'
//   i % 10 === 5  runs bash in a container -> 'Pipeline shell in container'
//   otherwise     opens a /tmp file        -> no alert
// so 2 in 10 events alert (with bench/pipeline-rules.yaml). Keys spread over processes
// so that every partition of the events topic gets work.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exampleEvent } from '../schemas/examples.js';
import type { Event } from '../schemas/types.generated.js';

/** The project root, whether this runs from source (vitest) or from dist/ (the benchmark). */
export function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above bench/');
    dir = up;
  }
  return dir;
}

export const PIPELINE_RULES = join(projectRoot(), 'bench', 'pipeline-rules.yaml');

const HOSTS = ['host-a', 'host-b', 'host-c', 'host-d'];

export function expectedRule(i: number): string | null {
  if (i % 10 === 0) return 'Pipeline secret file read';
  if (i % 10 === 5) return 'Pipeline shell in container';
  return null;
}

/** Event number i; `tsNs` overrides the event time (the benchmark stamps the send time). */
export function pipelineEvent(i: number, tsNs?: bigint): Event {
  const e = exampleEvent();
  const hostIx = i % HOSTS.length;
  e.host = { id: `${HOSTS[hostIx]}-id`, name: HOSTS[hostIx]! };
  e.seq = i;
  e.ts = tsNs ?? 1_700_000_000_000_000_000n + BigInt(i) * 1000n;
  const pid = 1000 + (i % 997);
  e.proc.pid = pid;
  e.proc.tid = pid;
  if (i % 10 === 5) {
    e.type = 'execve';
    e.res = 0;
    e.args = [{ name: 'res', text: '0', raw: 0 }, { name: 'exe', text: '/bin/bash', raw: null }];
    e.proc.name = 'bash';
    e.proc.exe = 'bash';
    e.proc.exepath = '/usr/bin/bash';
    e.proc.args = ['-i'];
    e.fd = null;
  } else {
    const file = i % 10 === 0 ? '/etc/shadow' : `/tmp/work-${i % 1000}.txt`;
    e.args = e.args.map((a) => (a.name === 'name' ? { ...a, text: file } : a.name === 'fd' ? { ...a, text: `5(<f>${file})` } : a));
    e.fd!.name = file;
    e.fd!.nameRaw = file;
  }
  return e;
}

/** The partition key the collector uses: host:tgid. */
export function pipelineKey(e: Event): string {
  return `${e.host.id}:${e.proc.pid}`;
}
