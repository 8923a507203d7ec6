import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { EVENT_SCHEMA, ALERT_SCHEMA } from './schema-files.js';
import { canonicalForm, rabinFingerprint, schemaFingerprint } from './fingerprint.js';

// Fingerprints published with the Avro project's own test suites (CRC-64-AVRO of the canonical
// form, as signed 64-bit integers), computed by the Java/C#/Ruby implementations.
const PUBLISHED: Array<[string, bigint]> = [
  ['"null"', 7195948357588979594n],
  ['"int"', 8247732601305521295n],
  ['"long"', -3434872931120570953n],
  ['"string"', -8142146995180207161n],
  ['["int","boolean"]', 5392556393470105090n],
  ['{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  ['{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}', -4860222112080293046n],
  ['{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['{"type":"map","values":"string"}', -8732877298790414990n],
  ['{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}', -1759257747318642341n],
];

describe('CRC-64-AVRO fingerprint', () => {
  it.each(PUBLISHED)('matches the published fingerprint of %s', (schema, signed) => {
    expect(BigInt.asIntN(64, rabinFingerprint(canonicalForm(schema)))).toBe(signed);
  });

  it('writes the fingerprint little-endian, as the single-object header of "int" documents', () => {
    // The Avro spec's example header for "int" is C3 01 8F 5C 39 3F 1A D5 75 72.
    expect(schemaFingerprint('"int"').toString('hex')).toBe('8f5c393f1ad57572');
  });
});

describe('Parsing Canonical Form', () => {
  it('drops docs, defaults and logical types, and qualifies names', () => {
    const schema = {
      type: 'record', name: 'R', namespace: 'a.b', doc: 'x',
      fields: [
        { name: 'ts', type: { type: 'long', logicalType: 'timestamp-nanos' }, doc: 'y' },
        { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] }, default: 'A' },
        { name: 'again', type: 'E' },
      ],
    };
    expect(canonicalForm(schema)).toBe(
      '{"name":"a.b.R","type":"record","fields":[{"name":"ts","type":"long"},' +
        '{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["A"]}},{"name":"again","type":"a.b.E"}]}',
    );
  });

  it.each([['event', EVENT_SCHEMA], ['alert', ALERT_SCHEMA]])('agrees with avsc for the %s schema', (_name, schema) => {
    // avsc's schema() without options prints the canonical form; an independent check of ours.
    const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'never' });
    expect(canonicalForm(schema)).toBe(JSON.stringify(type.schema()));
  });
});
