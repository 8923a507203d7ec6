// The metrics contract every long-running service serves on GET /metrics: Prometheus' text
// exposition format 0.0.4, written by one helper so the services agree on it.
//   # HELP <name> <text>
//   # TYPE <name> counter|gauge|histogram
//   <name>{<label>="<value>",...} <number>

export type MetricType = 'counter' | 'gauge' | 'histogram';

export class PrometheusText {
  private readonly lines: string[] = [];

  /** One metric family: its help and type lines, then its samples (already formatted). */
  family(name: string, type: MetricType, help: string, samples: readonly string[]): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    return this;
  }

  /** A family of one unlabelled sample. */
  single(name: string, type: MetricType, help: string, value: number): this {
    return this.family(name, type, help, [`${name} ${formatValue(value)}`]);
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** A sample line with labels, values escaped as the format asks. */
export function sample(name: string, labels: Record<string, string>, value: number): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `${name}${l.length > 0 ? `{${l.join(',')}}` : ''} ${formatValue(value)}`;
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}
