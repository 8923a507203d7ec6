import { describe, expect, it } from 'vitest';
import { exampleAlert } from '../schemas/examples.js';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError } from './errors.js';
import {
  createAlertFormatter,
  formatAlertJson,
  formatAlertText,
  formatTime,
  normalizePriority,
  rfc3339Nanos,
  syslogSeverity,
} from './format.js';

// Falco's regression suite (falco-2023-tests, time_iso_8601 and grpc cases) expects, for the
// cat_write.scap event at 1470327477881781397 ns with rule open_from_cat:
//   2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)
const catWrite: Alert = {
  rule: 'open_from_cat',
  priority: 'Warning',
  source: 'syscall',
  time: 1470327477881781397n,
  hostname: 'falco-host',
  output: 'An open was seen (command=cat /dev/null)',
  tags: ['testing', 'filesystem', 'process'],
  outputFields: { 'proc.cmdline': 'cat /dev/null' },
  eventHostId: 'h',
  eventSeq: 1,
};

describe('times', () => {
  it('prints RFC 3339 with ns', () => {
    expect(rfc3339Nanos(1704067200123456789n)).toBe('2024-01-01T00:00:00.123456789Z');
    expect(rfc3339Nanos(1704067200000000007n)).toBe('2024-01-01T00:00:00.000000007Z');
    expect(rfc3339Nanos(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
  });

  it('prints Falco text times', () => {
    expect(formatTime(1470327477881781397n, 'iso8601')).toBe('2016-08-04T16:17:57.881781397+0000');
    expect(formatTime(1470327477881781397n, 'time')).toBe('16:17:57.881781397');
  });
});

describe('text form', () => {
  it('matches the line Falco prints', () => {
    expect(formatAlertText(catWrite)).toBe('2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)');
    expect(formatAlertText(catWrite, { timeFormat: 'time' })).toBe('16:17:57.881781397: Warning An open was seen (command=cat /dev/null)');
  });

  it('spells priorities as Falco does', () => {
    expect(formatAlertText({ ...catWrite, priority: 'INFO' })).toContain(': Informational An open');
    expect(formatAlertText({ ...catWrite, priority: 'critical' })).toContain(': Critical An open');
  });
});

describe('JSON form', () => {
  it('has Falco keys in Falco order (sorted), output with its prefix, sorted tags', () => {
    const line = formatAlertJson(catWrite);
    expect(line).toBe(
      '{"hostname":"falco-host",' +
        '"output":"2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)",' +
        '"output_fields":{"evt.time.iso8601":"2016-08-04T16:17:57.881781397+0000","proc.cmdline":"cat /dev/null"},' +
        '"priority":"Warning","rule":"open_from_cat","source":"syscall",' +
        '"tags":["filesystem","process","testing"],"time":"2016-08-04T16:17:57.881781397Z"}',
    );
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  });

  it('writes evt.time as an exact integer of ns with the time format, and nulls for missing values', () => {
    const line = formatAlertJson(exampleAlert(), { timeFormat: 'time' });
    expect(line).toContain('"output_fields":{"container.id":"0123456789ab","evt.time":1700000000123456789,"fd.name":"/etc/shadow"');
    expect(line).toContain('"user.loginname":null');
    expect(line).toContain('"output":"22:13:20.123456789: Warning Sensitive file opened');
  });

  it('prints numeric fields as JSON numbers and bool fields as booleans, as Falco does', () => {
    const alert: Alert = {
      ...catWrite,
      outputFields: {
        'proc.pid': '4242', 'user.uid': '0', 'fd.sport': '443', 'len(proc.name)': '3', 'container.privileged': 'true',
        'proc.name': '123', 'toupper(proc.name)': 'CAT', 'evt.rawres': 'ENOENT', 'proc.ppid': null, 'no.such.field': '7',
      },
    };
    const fields = (JSON.parse(formatAlertJson(alert)) as { output_fields: Record<string, unknown> }).output_fields;
    expect(fields).toMatchObject({
      'proc.pid': 4242, 'user.uid': 0, 'fd.sport': 443, 'len(proc.name)': 3, 'container.privileged': true,
      'proc.name': '123', 'toupper(proc.name)': 'CAT', 'proc.ppid': null, 'no.such.field': '7',
    });
    // A numeric field whose printed value is not a number stays text.
    expect(fields['evt.rawres']).toBe('ENOENT');
  });

  it('leaves out output and tags on request, keeps empty tags otherwise', () => {
    const without = JSON.parse(formatAlertJson(catWrite, { includeOutput: false, includeTags: false })) as Record<string, unknown>;
    expect(without).not.toHaveProperty('output');
    expect(without).not.toHaveProperty('tags');
    expect(formatAlertJson({ ...catWrite, tags: [] })).toContain('"tags":[],');
  });

  it('escapes what JSON must escape', () => {
    const odd = { ...catWrite, output: 'quote " backslash \\ newline \n tab \t nul \u0000', outputFields: { 'x"y': 'a\nb' } };
    const parsed = JSON.parse(formatAlertJson(odd)) as { output: string; output_fields: Record<string, string> };
    expect(parsed.output.endsWith(odd.output)).toBe(true);
    expect(parsed.output_fields['x"y']).toBe('a\nb');
  });
});

describe('priorities and options', () => {
  it('maps priorities to syslog severities', () => {
    expect(['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'].map(syslogSeverity)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(syslogSeverity('info')).toBe(6);
    expect(normalizePriority('WARNING')).toBe('Warning');
    expect(normalizePriority('loud')).toBeUndefined();
  });

  it('validates formatter options early', () => {
    expect(createAlertFormatter({ format: 'text' })(catWrite)).toBe(formatAlertText(catWrite));
    expect(createAlertFormatter({ format: 'json', timeFormat: 'time' })(catWrite)).toBe(formatAlertJson(catWrite, { timeFormat: 'time' }));
    expect(() => createAlertFormatter({ format: 'yaml' as 'json' })).toThrow(SinkConfigError);
    expect(() => createAlertFormatter({ format: 'text', timeFormat: 'local' as 'time' })).toThrow(/timeFormat/);
  });
});
