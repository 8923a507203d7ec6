import { describe, expect, it } from 'vitest';
import { dropAbortedRecords, type FetchedRecord } from './read-committed.js';

// One record per record batch unless `batchFirst`/`delta` say otherwise, as a transactional
// producer writes them here.
function rec(offset: number, producerId: string, kind: 'data' | 'plain' | 'commit' | 'abort', batch?: { first: number; delta: number }): FetchedRecord {
  const control = kind === 'commit' || kind === 'abort';
  return {
    offset: String(offset),
    key: control ? Buffer.from([0, 0, 0, kind === 'abort' ? 0 : 1]) : Buffer.from('k'),
    isControlRecord: control,
    batchContext: {
      firstOffset: String(batch?.first ?? offset),
      lastOffsetDelta: batch?.delta ?? 0,
      producerId: kind === 'plain' ? '-1' : producerId,
      inTransaction: kind !== 'plain',
      isControlBatch: control,
    },
  };
}
const offsets = (rs: FetchedRecord[]): number[] => rs.filter((r) => !r.isControlRecord).map((r) => Number(r.offset));

describe('dropAbortedRecords', () => {
  it('keeps everything when no transaction was aborted', () => {
    const rs = [rec(0, '7', 'data'), rec(1, '7', 'commit'), rec(2, '-1', 'plain')];
    expect(dropAbortedRecords({ messages: rs, abortedTransactions: [] })).toBe(rs);
  });

  it('drops the aborted transactions of several producers listed in marker order, not by first offset', () => {
    // A (producer 1) and B (producer 2) interleave; B aborts first, so the broker lists B first.
    const rs = [rec(0, '1', 'data'), rec(1, '2', 'data'), rec(2, '3', 'data'), rec(3, '2', 'abort'), rec(4, '1', 'data'), rec(5, '3', 'commit'), rec(6, '1', 'abort'), rec(7, '-1', 'plain')];
    const aborted = [{ producerId: '2', firstOffset: '1' }, { producerId: '1', firstOffset: '0' }];
    expect(offsets(dropAbortedRecords({ messages: rs, abortedTransactions: aborted }))).toEqual([2, 7]);
  });

  it('drops records of aborted transactions that began before the fetched range', () => {
    // The fetch starts at 10; producers 4 and 5 began their (aborted) transactions at 8 and 9.
    const rs = [rec(10, '5', 'data'), rec(11, '4', 'data'), rec(12, '6', 'data'), rec(13, '4', 'abort'), rec(14, '5', 'abort'), rec(15, '6', 'commit')];
    const aborted = [{ producerId: '4', firstOffset: '8' }, { producerId: '5', firstOffset: '9' }];
    expect(offsets(dropAbortedRecords({ messages: rs, abortedTransactions: aborted }))).toEqual([12]);
  });

  it("keeps a producer's later committed transaction after its ABORT marker", () => {
    const rs = [rec(0, '1', 'data'), rec(1, '1', 'abort'), rec(2, '1', 'data'), rec(3, '1', 'commit')];
    expect(offsets(dropAbortedRecords({ messages: rs, abortedTransactions: [{ producerId: '1', firstOffset: '0' }] }))).toEqual([2]);
  });

  it('judges a multi-record batch as a whole, by its last offset', () => {
    // Records 20..22 are one batch of producer 9 whose aborted transaction starts at 21: the
    // whole batch is aborted (a transaction's first batch starts at its first offset).
    const batch = { first: 20, delta: 2 };
    const rs = [rec(20, '9', 'data', batch), rec(21, '9', 'data', batch), rec(22, '9', 'data', batch), rec(23, '9', 'abort')];
    expect(offsets(dropAbortedRecords({ messages: rs, abortedTransactions: [{ producerId: '9', firstOffset: '20' }] }))).toEqual([]);
  });

  it('never drops non-transactional records, even from a producer id in the aborted list', () => {
    const rs = [rec(0, '1', 'data'), rec(1, '-1', 'plain'), rec(2, '1', 'abort')];
    expect(offsets(dropAbortedRecords({ messages: rs, abortedTransactions: [{ producerId: '1', firstOffset: '0' }] }))).toEqual([1]);
  });
});
