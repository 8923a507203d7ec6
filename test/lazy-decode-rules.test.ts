// Lazily decoded events (eventCodec.decodeLazy) judged by the default rules raise exactly the
// alerts eagerly decoded ones do: every fire and look-alike case of rules/default/cases goes
// through the Avro codec both ways.
import { describe, expect, it } from 'vitest';
import { defaultRuleFiles } from '../rules/default/index.js';
import { fileCases } from '../rules/default/cases/file.js';
import { containerCases, networkCases } from '../rules/default/cases/network-container.js';
import { processCases } from '../rules/default/cases/process.js';
import { createEngine } from '../rules/index.js';
import { alertToJson, eventCodec } from '../schemas/codec.js';

describe('decodeLazy with the default rules', () => {
  it('raises the same alerts as decode for every default-rule case', () => {
    const engine = createEngine({ files: defaultRuleFiles(), match: 'all' });
    const cases = [...fileCases, ...networkCases, ...containerCases, ...processCases];
    const events = cases.flatMap((c) => [...Object.values(c.fires), ...Object.values(c.quiet)]);
    expect(events.length).toBeGreaterThan(50);
    let alerts = 0;
    for (const event of events) {
      const bytes = eventCodec.encode(event);
      const eager = engine.judge(eventCodec.decode(bytes)).map(alertToJson);
      const lazy = engine.judge(eventCodec.decodeLazy(bytes)).map(alertToJson);
      expect(lazy).toEqual(eager);
      alerts += eager.length;
    }
    expect(alerts).toBeGreaterThan(30); // the fire cases did fire
  });
});
