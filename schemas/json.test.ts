import { describe, expect, it } from 'vitest';
import { alertFromJson, alertToJson, eventCodec, eventFromJson, eventToJson } from './codec.js';
import { DecodeError } from './errors.js';
import { exampleAlert, exampleEvent } from './examples.js';

/** The JSON form as it would appear in a .jsonl file: through JSON text and back. */
function viaText(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function decodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as Error).message;
  }
  throw new Error('expected a DecodeError');
}

describe('event JSON form', () => {
  it('round-trips through JSON text, timestamps exact', () => {
    const event = exampleEvent();
    const json = viaText(eventToJson(event)) as Record<string, unknown>;
    expect(json.ts).toBe('1700000000123456789');
    expect((json.proc as Record<string, unknown>).startTs).toBe('1699999990000000001');
    expect(json.res).toBe(5); // unions written plainly
    expect(eventFromJson(json)).toEqual(event);
  });

  it('reads decoded events too (avsc record objects)', () => {
    const decoded = eventCodec.decode(eventCodec.encode(exampleEvent()));
    expect(eventFromJson(viaText(eventToJson(decoded)))).toEqual(exampleEvent());
  });

  it('fills defaults for missing optional fields and accepts safe-integer timestamps', () => {
    const minimal = {
      host: { id: 'h1', name: 'host-1' },
      seq: 1,
      ts: 1700000000000,
      type: 'execve',
      dir: 'EXIT',
      cpu: 0,
      args: [{ name: 'res', text: '0' }],
      proc: {
        tid: 10, pid: 10, ppid: 1, vpid: 10, name: 'ls', exe: 'ls', exepath: '/usr/bin/ls', args: ['-l'],
        uid: 1000, gid: 1000, startTs: '1699999999000000000',
      },
      ancestors: [],
      container: { id: 'host' },
    };
    const event = eventFromJson(minimal);
    expect(event.ts).toBe(1700000000000n);
    expect(event.source).toBe('syscall');
    expect(event.res).toBeNull();
    expect(event.fd).toBeNull();
    expect(event.args[0]!.raw).toBeNull();
    expect(event.proc.loginuid).toBe(-1);
    expect(event.proc.cwd).toBeNull();
    expect(event.container.mounts).toEqual([]);
    // The result is a valid Event: the codec accepts it.
    expect(eventCodec.decode(eventCodec.encode(event))).toEqual(event);
  });

  it('picks the union branch from the JSON type (raw: number or string)', () => {
    const json = viaText(eventToJson(exampleEvent())) as { args: Array<{ raw: unknown }> };
    json.args[0]!.raw = 'O_RDONLY';
    json.args[1]!.raw = -100;
    const event = eventFromJson(json);
    expect(event.args[0]!.raw).toBe('O_RDONLY');
    expect(event.args[1]!.raw).toBe(-100);
  });

  it.each([
    ['a wrong type', (j: any) => { j.proc.pid = 'abc'; }, 'proc.pid: expected a number, got string "abc"'],
    ['a fraction', (j: any) => { j.proc.pid = 1.5; }, 'proc.pid: expected a number (integer, at most 2^53), got number 1.5'],
    ['a long past 2^53', (j: any) => { j.seq = 2 ** 60; }, 'seq: expected a number (integer, at most 2^53)'],
    ['a missing required field', (j: any) => { delete j.proc.exepath; }, 'proc.exepath: missing (required by saker.Process, no default)'],
    ['an unknown field', (j: any) => { j.proc.pidd = 1; }, 'proc.pidd: unknown field of saker.Process'],
    ['a bad enum symbol', (j: any) => { j.dir = '>'; }, 'dir: expected one of ENTER, EXIT, got string ">"'],
    ['a bad timestamp', (j: any) => { j.ts = '17e8'; }, 'ts: expected a timestamp in ns'],
    ['a timestamp past 64 bits', (j: any) => { j.ts = '99999999999999999999'; }, 'ts: expected a timestamp in ns'],
    ['an unsafe numeric timestamp', (j: any) => { j.ts = 1700000000123456789; }, 'ts: expected a timestamp in ns'],
    ['a bad array item', (j: any) => { j.args[2].text = 7; }, 'args[2].text: expected a string, got number 7'],
    ['a bad union value', (j: any) => { j.fd.cport = 'http'; }, 'fd.cport: expected null or a number, got string "http"'],
    ['a wrapped union', (j: any) => { j.res = { long: 5 }; }, 'res: expected null or a number, got an object'],
    ['a non-object nested record', (j: any) => { j.container = []; }, 'container: expected an object (saker.Container), got an array'],
    ['an int out of range', (j: any) => { j.cpu = 2 ** 31; }, 'cpu: expected a number (32-bit integer)'],
  ])('rejects %s, naming the field', (_what, change, message) => {
    const json = viaText(eventToJson(exampleEvent()));
    change(json);
    expect(decodeError(() => eventFromJson(json))).toContain(message);
  });

  it('rejects a value that is not an object', () => {
    expect(decodeError(() => eventFromJson('openat'))).toContain('(root): expected an object (saker.Event)');
    expect(decodeError(() => eventFromJson(null))).toContain('(root): expected an object');
  });
});

describe('alert JSON form', () => {
  it('round-trips through JSON text', () => {
    const alert = exampleAlert();
    const json = viaText(alertToJson(alert)) as Record<string, unknown>;
    expect(json.time).toBe('1700000000123456789');
    expect((json.outputFields as Record<string, unknown>)['user.loginname']).toBeNull();
    expect(alertFromJson(json)).toEqual(alert);
  });

  it('names map entries by key in errors', () => {
    const json = viaText(alertToJson(exampleAlert())) as { outputFields: Record<string, unknown> };
    json.outputFields['proc.pid'] = 42;
    expect(decodeError(() => alertFromJson(json))).toContain('outputFields["proc.pid"]: expected null or a string, got number 42');
  });
});
