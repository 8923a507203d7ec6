// The replay path's selection profiles and container events, on conformance captures.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Event } from '../../../schemas/types.generated.js';
import { CollectorConfigError } from '../../errors.js';
import { FALCO_0_10_SKIPPED } from './falco-compat.js';
import { openScapFile } from './reader.js';
import { replayScap, type SelectionProfile } from './replay.js';

const ROOT = '../shared/conformance';
const CAT_WRITE = join(ROOT, 'falco-0.10.0-tests/trace_files/cat_write.scap');
const EMPTY_010 = join(ROOT, 'falco-0.10.0-tests/trace_files/empty.scap');
const PRIVILEGED = join(ROOT, 'scap-falco-psp/psp_privileged.scap');
const host = { id: 'h', name: 'h' };

function replay(file: string, profile: SelectionProfile, judgedTypes?: ReadonlySet<string>) {
  const events: Event[] = [];
  const counts = replayScap(openScapFile(file), { host, profile, judgedTypes }, (e) => events.push(e));
  return { counts, events };
}

describe('scap replay', () => {
  test("falco-0.10 drops what Falco 0.10's simple consumer dropped, before the state sees it", () => {
    const all = [...openScapFile(CAT_WRITE)];
    const { counts, events } = replay(CAT_WRITE, 'falco-0.10');
    const dropped = all.filter((r) => FALCO_0_10_SKIPPED.has(r.type)).length;
    expect(dropped).toBeGreaterThan(0);
    expect(counts.dropped).toBe(dropped);
    expect(counts.judged).toBe(all.length - dropped);
    expect(events.some((e) => FALCO_0_10_SKIPPED.has(e.type))).toBe(false);
    expect(events.filter((e) => e.type === 'open').map((e) => e.dir)).toEqual(['ENTER', 'EXIT', 'ENTER', 'EXIT', 'ENTER', 'EXIT', 'ENTER', 'EXIT']);
  });

  test('judgedTypes limits enrichment and judging; the rest still updates the state', () => {
    const { counts, events } = replay(CAT_WRITE, 'all', new Set(['open']));
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['open']));
    expect(counts.judged + counts.stateOnly + counts.dropped).toBe(counts.records);
    // The opens come after cat's execve, which only the state saw: the process is known by name.
    expect(events.every((e) => e.proc.name === 'cat')).toBe(true);
  });

  test('modern keeps the head container events as state only; all judges them with their container', () => {
    const modern = replay(EMPTY_010, 'modern');
    expect(modern.events.some((e) => e.type === 'container')).toBe(false);
    expect(modern.counts.stateOnly).toBe(3);
    const all = replay(EMPTY_010, 'all').events.filter((e) => e.type === 'container');
    expect(all.map((e) => [e.container.id, e.container.name, e.container.image])).toEqual([
      ['ad8301db070e', 'mitm_nginx', 'nginx:latest'],
      ['c644607f2c4e', 'attacker_botnet_master', 'alpine:latest'],
      ['c644607f2c4e', 'attacker_botnet_master', 'alpine:latest'],
    ]);
  });

  test('a container event after the first syscall is judged, describing the container it announces', () => {
    const { events } = replay(PRIVILEGED, 'modern');
    const c = events.filter((e) => e.type === 'container');
    expect(c.map((e) => [e.container.id, e.container.image, e.container.privileged])).toEqual([['9dbcbd0c435f', 'nginx:latest', true]]);
  });

  test('an unknown profile is a configuration error', () => {
    expect(() => replayScap(openScapFile(CAT_WRITE), { host, profile: 'falco-9' as SelectionProfile }, () => {})).toThrow(CollectorConfigError);
  });
});
