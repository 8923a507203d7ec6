import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { parseFrom } from './replay-kafka.js';

describe('replay kafka:TOPIC --from', () => {
  it('reads a time, ms since the epoch, one offset for every partition, or offsets by partition', () => {
    expect(parseFrom(undefined)).toEqual({ kind: 'time', ms: 0 });
    expect(parseFrom('earliest')).toEqual({ kind: 'time', ms: 0 });
    expect(parseFrom('1700000000000')).toEqual({ kind: 'time', ms: 1_700_000_000_000 });
    expect(parseFrom('2026-11-30T01:00:00Z')).toEqual({ kind: 'time', ms: Date.UTC(2026, 10, 30, 1) });
    expect(parseFrom('offset:120')).toEqual({ kind: 'offset', offset: 120n });
    expect(parseFrom('offset:3=1200, 7=0')).toEqual({ kind: 'offsets', partitions: new Map([[3, 1200n], [7, 0n]]) });
  });

  it('says what it expected', () => {
    expect(() => parseFrom('yesterday')).toThrow(UsageError);
    expect(() => parseFrom('yesterday')).toThrow(/--from must be earliest, an ISO-8601 time, ms since the epoch, offset:N or offset:PARTITION=N\[,\.\.\.\], got 'yesterday'/);
    expect(() => parseFrom('offset:3:1200')).toThrow("--from offset:3:1200: expected offset:N or offset:PARTITION=N[,...], '3:1200' is neither");
    expect(() => parseFrom('offset:1=5,1=6')).toThrow('partition 1 is given twice');
  });
});
