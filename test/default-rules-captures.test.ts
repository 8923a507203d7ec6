// Saker's default rules on Falco's own captures (../shared/conformance), replayed through the
// scap reader and the collector: the privileged-container capture is reported once, the others
// (ordinary containers, a curl, a sample of a busy host) raise nothing.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ScapReader, loadScapFile } from '../collector/sources/scap/reader.js';
import { replayScap } from '../collector/sources/scap/replay.js';
import { defaultRuleFiles } from '../rules/default/index.js';
import { createEngine } from '../rules/index.js';

const CONFORMANCE = join(process.cwd(), '..', 'shared', 'conformance');
const engine = createEngine({ files: defaultRuleFiles(), match: 'all' });

function alertsOf(capture: string): Record<string, number> {
  const reader = new ScapReader(capture, loadScapFile(join(CONFORMANCE, capture)));
  const counts: Record<string, number> = {};
  replayScap(reader, { host: { id: 'capture', name: 'capture' }, profile: 'modern', judgedTypes: engine.eventTypes() }, (e) => {
    for (const a of engine.judge(e)) counts[a.rule] = (counts[a.rule] ?? 0) + 1;
  });
  return counts;
}

describe('default rules on Falco captures', () => {
  test('psp_privileged.scap: one privileged container', () => {
    expect(alertsOf('scap-falco-psp/psp_privileged.scap')).toEqual({ 'Privileged container started': 1 });
  });

  test.each([
    'scap-falco-psp/psp_run_as_user_0_container.scap',
    'scap-falco-psp/psp_run_as_user_65534_container.scap',
    'scap-falco-psp/psp_write_tmp_test.scap',
    'scap-libs/sample.scap',
    'scap-libs/curl_google.scap',
    'falco-0.10.0-tests/trace_files/cat_write.scap',
    'falco-0.10.0-tests/trace_files/open-multiple-files.scap',
  ])('%s: no alert', (capture) => {
    expect(alertsOf(capture)).toEqual({});
  });
});
