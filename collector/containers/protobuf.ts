// The few Protocol Buffers wire-format pieces the containerd client needs: writing length-
// delimited fields and reading a message's fields. Wire format (protobuf encoding spec):
//   field   = key value;  key = varint (field_number << 3 | wire_type)
//   wire type 0 varint (LEB128, up to 10 bytes), 1 fixed 64-bit, 2 length-delimited (varint
//   length, then bytes: strings, bytes, embedded messages, map entries), 5 fixed 32-bit.
// Unknown fields are skipped, as any protobuf reader does: newer runtimes add fields freely.
import { ContainerRuntimeError } from '../errors.js';

/** A message's fields: field number -> the raw values of the length-delimited occurrences. */
export type Fields = Map<number, Buffer[]>;

function writeVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** A message of length-delimited fields (strings, bytes, embedded messages), in the given order. */
export function encodeMessage(fields: ReadonlyArray<readonly [number, string | Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [field, value] of fields) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const head: number[] = [];
    writeVarint(head, (field << 3) | 2);
    writeVarint(head, bytes.length);
    parts.push(Buffer.from(head), bytes);
  }
  return Buffer.concat(parts);
}

function malformed(what: string): ContainerRuntimeError {
  return new ContainerRuntimeError(`malformed protobuf message: ${what}`, { retriable: false });
}

/** The length-delimited fields of a message; varint and fixed fields are checked and skipped. */
export function decodeFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    for (let shift = 0, i = 0; i < 10; i++, shift += 7) {
      if (pos >= buf.length) throw malformed('truncated varint');
      const b = buf[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
    throw malformed('varint longer than 10 bytes');
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw malformed(`field ${field} runs past the end`);
      const list = fields.get(field) ?? [];
      list.push(buf.subarray(pos, pos + len));
      fields.set(field, list);
      pos += len;
    } else {
      throw malformed(`wire type ${wire} of field ${field}`);
    }
    if (pos > buf.length) throw malformed(`field ${field} runs past the end`);
  }
  return fields;
}

/** The last occurrence of a string field (protobuf's rule for repeated scalars), or ''. */
export function stringField(fields: Fields, field: number): string {
  const values = fields.get(field);
  return values && values.length > 0 ? values[values.length - 1]!.toString('utf8') : '';
}

/** A map<string, string> field: its entries are messages with key = 1, value = 2. */
export function stringMap(fields: Fields, field: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fields.get(field) ?? []) {
    const e = decodeFields(entry);
    out.set(stringField(e, 1), stringField(e, 2));
  }
  return out;
}
