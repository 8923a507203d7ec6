// Failed results in Falco's text form.
import { errnoName } from '../../schemas/errno.js';

/** `-2(ENOENT)` for a failed result, the number otherwise. */
export function resultText(res: number): string {
  if (res >= 0) return String(res);
  const name = errnoName(-res);
  return name === undefined ? String(res) : `${res}(${name})`;
}
