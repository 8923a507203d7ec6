// The file window: an uncompressed capture read a little at a time gives exactly the records of
// the capture read whole, whatever the window (smaller than a block, or mid-block boundaries);
// errors still name file offsets; a capture several times the window replays in bounded memory.
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { WINDOW_BYTES } from './byte-source.js';
import { ScapFormatError } from './errors.js';
import { ScapReader, loadScapFile, openScapFile } from './reader.js';

const ROOT = '../shared/conformance';
const DIRS = ['falco-0.10.0-tests/trace_files', 'falco-2023-tests/trace_files', 'scap-falco-psp', 'scap-libs'];
const tmp = mkdtempSync(join(tmpdir(), 'saker-scap-window-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every conformance capture, written uncompressed (the window reads plain files only). */
const plainCaptures = DIRS.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.scap')).map((f) => {
  const plain = join(tmp, `${d.replace(/\//g, '_')}_${f}`);
  writeFileSync(plain, loadScapFile(join(ROOT, d, f)));
  return plain;
}));

describe('scap file window', () => {
  test.each([1, 64, 4096, 65_536])('reads every conformance capture the same through a %i-byte window as whole', (windowBytes) => {
    for (const file of plainCaptures) {
      const whole = new ScapReader(file, loadScapFile(file));
      const windowed = openScapFile(file, { windowBytes });
      expect(windowed.head, file).toEqual(whole.head);
      expect([...windowed], file).toEqual([...whole]);
      expect(windowed.stats, file).toEqual(whole.stats);
    }
  });

  test('a truncated capture names the broken block by its file offset, as the whole read does', () => {
    const data = loadScapFile(join(ROOT, 'scap-libs/sample.scap'));
    const cut = join(tmp, 'cut.scap');
    writeFileSync(cut, data.subarray(0, data.length - 100));
    const whole = (() => { try { [...new ScapReader(cut, data.subarray(0, data.length - 100))]; } catch (e) { return e as ScapFormatError; } return null; })();
    const windowed = (() => { try { [...openScapFile(cut, { windowBytes: 4096 })]; } catch (e) { return e as ScapFormatError; } return null; })();
    expect(whole).toBeInstanceOf(ScapFormatError);
    expect(windowed).toBeInstanceOf(ScapFormatError);
    expect(windowed!.message).toBe(whole!.message);
  });

  test('a capture of many windows replays in bounded memory', () => {
    // sample.scap's head, then its event blocks again and again: ~40 windows of events.
    const data = loadScapFile(join(ROOT, 'scap-libs/sample.scap'));
    let at = 0;
    while (![0x216, 0x217, 0x221, 0x204, 0x208].includes(data.readUInt32LE(at))) at += data.readUInt32LE(at + 4);
    const head = data.subarray(0, at);
    const events = data.subarray(at);
    const big = join(tmp, 'big.scap');
    const fd = openSync(big, 'w');
    writeSync(fd, head);
    const copies = Math.ceil((40 * WINDOW_BYTES) / events.length);
    for (let i = 0; i < copies; i++) writeSync(fd, events);
    closeSync(fd);
    const perCopy = [...new ScapReader('sample', data)].length;
    const before = process.memoryUsage();
    let records = 0;
    let peak = 0;
    const r = openScapFile(big);
    for (const rec of r) {
      void rec;
      if (++records % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before.arrayBuffers);
    }
    expect(records).toBe(perCopy * copies);
    // Buffers held while reading: windows the collector has not freed yet, never the whole file
    // (which a whole read holds from the start).
    expect(copies * events.length).toBeGreaterThan(39 * WINDOW_BYTES);
    expect(peak).toBeLessThan(16 * WINDOW_BYTES);
  });
});
