// Read-committed filtering of a fetched partition's records: which transactional records belong
// to aborted transactions and must never reach a handler.
//
// The broker answers a READ_COMMITTED fetch with the records up to the last stable offset plus
// the aborted transactions overlapping them: (producerId, firstOffset) pairs, listed in the order
// their ABORT markers were written, not by firstOffset. A producer's records from its aborted
// transaction's firstOffset up to its ABORT marker are aborted. Kafka's Java consumer (Fetcher)
// orders the list by firstOffset and, before each record batch, marks every producer whose aborted
// transaction starts at or before that batch's last offset.
//
// kafkajs 2.2.4 (src/consumer/filterAbortedMessages.js) assumes the list is sorted and marks at
// most one producer per record, so with several aborted transactions in one fetch (a killed
// worker leaves one per input partition it was working on) it lets aborted records through: a
// read-committed reader of the alerts topic saw a dead worker's aborted alerts next to the new
// owner's committed ones. bus/kafka/client.ts puts this function in its place.

/** The fields of a kafkajs message (and its record batch) that decide whether it was aborted. */
export interface FetchedRecord {
  offset: string;
  key?: Buffer | null;
  isControlRecord?: boolean;
  batchContext: {
    firstOffset: string;
    lastOffsetDelta: number;
    producerId: string;
    inTransaction: boolean;
    isControlBatch: boolean;
  };
}

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** Control record key of an ABORT marker: version 0 (int16), type 0 (int16). COMMIT is type 1. */
const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

const isAbortMarker = (r: FetchedRecord): boolean => r.batchContext.isControlBatch && r.key != null && Buffer.from(r.key).equals(ABORT_MARKER_KEY);

/**
 * The records of `records` (one partition, in offset order) that are not part of an aborted
 * transaction. Control records are kept: the caller drops them (kafkajs does, after this filter).
 */
export function dropAbortedRecords<R extends FetchedRecord>({ messages: records, abortedTransactions }: { messages: R[]; abortedTransactions?: AbortedTransaction[] | null }): R[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return records;
  const pending = abortedTransactions.map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) })).sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  let next = 0;
  const abortedProducers = new Set<string>();
  return records.filter((r) => {
    const b = r.batchContext;
    if (!b.inTransaction && !b.isControlBatch) return true;
    const batchLastOffset = BigInt(b.firstOffset) + BigInt(b.lastOffsetDelta);
    while (next < pending.length && pending[next]!.firstOffset <= batchLastOffset) abortedProducers.add(pending[next++]!.producerId);
    if (b.isControlBatch) {
      if (isAbortMarker(r)) abortedProducers.delete(b.producerId);
      return true;
    }
    return !abortedProducers.has(b.producerId);
  });
}
