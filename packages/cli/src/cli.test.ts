import { describe, expect, it } from 'vitest';
import { run } from './cli.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out,
    err,
  };
}

describe('cccd', () => {
  it('prints usage and exits 2 without a command', async () => {
    const c = capture();
    expect(await run([], c.io)).toBe(2);
    expect(c.out.join('')).toContain('usage: cccd');
  });
  it('names the step that brings a command that is not there yet', async () => {
    const c = capture();
    expect(await run(['agent'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/not available yet.*step 6/);
  });
  it('rejects unknown commands with one line', async () => {
    const c = capture();
    expect(await run(['frobnicate'], c.io)).toBe(2);
    expect(c.err.join('').trim().split('\n')).toHaveLength(1);
  });
});
