// Small conversions shared by the state engine and its record handlers.
import { CollectorConfigError } from '../errors.js';

export function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new CollectorConfigError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export function numberArg(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}
