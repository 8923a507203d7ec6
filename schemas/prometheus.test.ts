import { describe, expect, it } from 'vitest';
import { PrometheusText, sample } from './prometheus.js';

describe('Prometheus text', () => {
  it('writes families of samples, labels escaped, values rounded to thousandths', () => {
    const text = new PrometheusText()
      .single('a_total', 'counter', 'A.', 3)
      .family('b', 'gauge', 'B.', [sample('b', { path: 'C:\\x "y"' }, 0.12345)])
      .toString();
    expect(text).toBe('# HELP a_total A.\n# TYPE a_total counter\na_total 3\n# HELP b B.\n# TYPE b gauge\nb{path="C:\\\\x \\"y\\""} 0.123\n');
  });
});
