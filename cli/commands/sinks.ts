// `saker sinks`: delivers the alerts topic to stdout, a file, syslog and/or Slack. One consumer
// group; a sink that fails is retried, an alert it refuses for good goes to the dead-letter topic.
import { readFileSync } from 'node:fs';
import { createKafkaBus } from '../../bus/kafka/index.js';
import { topicLayout } from '../../bus/topics.js';
import { openSink, runSinks, type Sink, type SinkSpec } from '../../sinks/index.js';
import { renderSinkMetrics } from '../../sinks/metrics.js';
import type { SyslogTransport } from '../../sinks/syslog.js';
import { UsageError, int, logLevel, parse } from '../args.js';
import type { Command } from '../command.js';
import { KAFKA_FLAGS, KAFKA_USAGE, kafkaOptions, serviceLogger } from '../kafka-flags.js';
import { startStatusServer, type StatusServer } from '../status-server.js';

const USAGE = `usage: saker sinks --brokers HOST:PORT[,...] [--stdout] [--file PATH] [--syslog ADDR] [--slack-webhook-file F] [options]

Consumes the alerts topic and delivers every alert to the sinks given (at least one).

${KAFKA_USAGE}Sinks:
  --stdout                  Falco's text lines on standard output
  --file PATH               JSON lines appended to PATH (reopened on SIGHUP for rotation)
  --syslog ADDR             udp:HOST:PORT, tcp:HOST:PORT or unix:PATH (RFC 5424)
  --slack-webhook-file F    a file holding the Slack incoming-webhook URL (a secret: never a flag)
  --json                    JSON instead of text on stdout and syslog
  --group ID                consumer group (default saker-sinks)
  --metrics-port N          serve /metrics (deliveries per sink, failures, dead letters) and
                            /healthz here (default 9466; 0 = any free port)
  --metrics-host H          address to serve on (default 127.0.0.1)
  --log-level L             trace, debug, info, warn, error (default info)
`;

const FLAGS = {
  ...KAFKA_FLAGS,
  stdout: { type: 'boolean' },
  file: { type: 'string' },
  syslog: { type: 'string' },
  'slack-webhook-file': { type: 'string' },
  json: { type: 'boolean' },
  group: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function parseSyslogAddress(addr: string): SyslogTransport {
  const m = /^(udp|tcp):(.+):(\d+)$/.exec(addr);
  if (m) return { type: m[1] as 'udp' | 'tcp', host: m[2]!, port: Number(m[3]) };
  if (addr.startsWith('unix:') && addr.length > 5) return { type: 'unix', path: addr.slice(5) };
  throw new UsageError(`--syslog must be udp:HOST:PORT, tcp:HOST:PORT or unix:PATH, got '${addr}'`);
}

export const sinksCommand: Command = {
  name: 'sinks',
  summary: 'sinks --brokers HOST:PORT[,...] [--stdout] [--file PATH] [--syslog ADDR] [--slack-webhook-file F] [--help]   deliver the alerts topic',
  async run(argv, io) {
    const { values } = parse(argv, FLAGS, false);
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const format = values.json ? 'json' : 'text';
    const specs: SinkSpec[] = [];
    if (values.stdout) specs.push({ type: 'stdout', format, stream: io.stdout });
    if (values.file) specs.push({ type: 'file', path: values.file, format: 'json' });
    if (values.syslog) specs.push({ type: 'syslog', transport: parseSyslogAddress(values.syslog), format });
    if (values['slack-webhook-file']) {
      let webhookUrl: string;
      try {
        webhookUrl = readFileSync(values['slack-webhook-file'], 'utf8').trim();
      } catch (err) {
        throw new UsageError(`--slack-webhook-file: ${(err as Error).message}`);
      }
      specs.push({ type: 'slack', webhookUrl });
    }
    if (specs.length === 0) throw new UsageError('give at least one sink: --stdout, --file, --syslog or --slack-webhook-file');
    const kafka = kafkaOptions(values, process.env, { clientId: 'saker-sinks', transactionalIdPrefix: 'saker-sinks' });
    const logger = serviceLogger(logLevel(values['log-level'], 'info'), io.stderr);
    const layout = topicLayout({ prefix: values['topic-prefix'] ?? 'saker' });

    const metricsPort = int('metrics-port', values['metrics-port'], 9466);
    const sinks: Sink[] = [];
    for (const spec of specs) sinks.push(await openSink(spec, logger));
    const bus = createKafkaBus({ ...kafka, logger });
    let status: StatusServer | null = null;
    try {
      await bus.ensureTopics([layout.alerts, layout.deadLetter]);
      const runner = await runSinks({
        bus, topic: layout.alerts.name, groupId: values.group ?? 'saker-sinks', sinks, deadLetterTopic: layout.deadLetter.name, logger,
      });
      status = await startStatusServer({
        port: metricsPort, host: values['metrics-host'] ?? '127.0.0.1', logger,
        metrics: () => renderSinkMetrics(runner.stats, runner.health().state === 'running' ? 1 : 0),
        health: () => runner.health(),
      });
      logger.info({ sinks: specs.map((s) => s.type), alerts: layout.alerts.name }, 'delivering alerts');
      // Runs until SIGINT/SIGTERM.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await runner.stop();
      logger.info(runner.stats, 'sinks stopped');
      return 0;
    } finally {
      await status?.close();
      await bus.close();
    }
  },
};
