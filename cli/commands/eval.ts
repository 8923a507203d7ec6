// `saker eval --rules FILE... --events FILE.jsonl|-`: judge events given as JSON lines and print
// one alert per line (Falco's text form, or its JSON with --json). Each line is either the event
// schema's JSON form or a flat object keyed by field names. A bad line is reported with its line
// number and the run goes on; the exit code is then 1.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createEngine } from '../../rules/index.js';
import { eventFromJson } from '../../schemas/codec.js';
import type { Alert } from '../../schemas/types.generated.js';
import { formatAlertJson, formatAlertText } from '../../sinks/format.js';
import { SELECTION_OPTIONS, UsageError, engineOptions, parse } from '../args.js';
import type { Command } from '../command.js';

/** The schema's JSON form has nested host/proc objects; a flat object has dotted field names. */
const isSchemaForm = (obj: Record<string, unknown>): boolean =>
  typeof obj.proc === 'object' && obj.proc !== null && typeof obj.host === 'object' && obj.host !== null;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'eval --rules FILE... --events FILE.jsonl|- [--match first|all] [--json] [--tag T] [--skip-tag T] [--disable-rule NAME] [--priority P]',
  async run(argv, io) {
    const { values } = parse(argv, { ...SELECTION_OPTIONS, events: { type: 'string' } } as const, false);
    if (!values.events) throw new UsageError('--events FILE.jsonl (or - for standard input) is required');
    const engine = createEngine(engineOptions(values));
    const print = (a: Alert): void => {
      io.stdout.write(`${values.json ? formatAlertJson(a) : formatAlertText(a)}\n`);
    };
    const events = String(values.events);
    const input = events === '-' ? io.stdin : createReadStream(events);
    const lines = createInterface({ input, crlfDelay: Infinity });
    let lineNo = 0;
    let bad = 0;
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      try {
        const obj = JSON.parse(line) as unknown;
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('expected a JSON object');
        const record = obj as Record<string, unknown>;
        const alerts = isSchemaForm(record) ? engine.judge(eventFromJson(record)) : engine.judgeFlat(record);
        for (const a of alerts) print(a);
      } catch (err) {
        bad++;
        io.stderr.write(`error: ${events}:${lineNo}: ${(err as Error).message}\n`);
      }
    }
    return bad ? 1 : 0;
  },
};
