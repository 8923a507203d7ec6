import { test } from 'vitest';
import { openScapFile } from '/work/main/collector/sources/scap/reader.js';
test('dump', () => {
  const f = process.env.F!;
  const from = Number(process.env.FROM ?? 1), to = Number(process.env.TO ?? 10);
  let i = 0;
  for (const r of openScapFile(f)) { i++; if (i >= from && i <= to) console.log(i, r.ts, r.cpu, r.tid, r.pid, r.type, r.dir, r.res, JSON.stringify(r.args, (_k, v) => typeof v === 'bigint' ? v.toString() : (v && v.type === 'Buffer') ? '<buf>' : v).slice(0, 300)); }
});
