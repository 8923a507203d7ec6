import { describe, expect, it } from 'vitest';
import { errorChain } from './errors.js';

describe('errorChain', () => {
  it('walks an error and its causes, outermost first, up to the bound and while they are objects', () => {
    const inner = Object.assign(new Error('refused'), { code: 'ERR_SSL_X' });
    const outer = new Error('retries exceeded', { cause: new Error('connection error', { cause: inner }) });
    expect([...errorChain(outer, 6)].map((e) => e.message)).toEqual(['retries exceeded', 'connection error', 'refused']);
    expect([...errorChain(outer, 2)].map((e) => e.message)).toEqual(['retries exceeded', 'connection error']);
    expect([...errorChain(new Error('a', { cause: 'a string' }), 6)].map((e) => e.message)).toEqual(['a']);
    expect([...errorChain(undefined, 6)]).toEqual([]);
  });
});
