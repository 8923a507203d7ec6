// The rule engine's version, as `required_engine_version` items compare against it. Falco wrote
// it first as an integer (N means 0.N.0), later as semver; both are accepted.
export const ENGINE_VERSION = '0.57.0';

export function parseEngineVersion(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return `0.${value}.0`;
  if (typeof value === 'string' && /^\d+\.\d+\.\d+$/.test(value.trim())) return value.trim();
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return `0.${value.trim()}.0`;
  return undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
