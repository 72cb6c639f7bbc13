/**
 * Property tests for the JSON-RPC 2.0 envelopes of the agent protocol: any JSON text, any value and any mutation
 * of a valid message is either accepted as a well-formed envelope or refused by safeParse — never a throw; every
 * accepted message really is JSON-RPC 2.0 with a bounded method name, and valid messages are always accepted.
 */

import { fuzzRuns } from '@cccd/emrtd/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientMessageSchema, serverMessageSchema } from './protocol.js';

const schemas = { server: serverMessageSchema, client: clientMessageSchema };

function checkEnvelope(value: unknown): boolean {
  for (const schema of Object.values(schemas)) {
    const r = schema.safeParse(value);
    if (!r.success) continue;
    const m = r.data as { jsonrpc: string; method?: string };
    expect(m.jsonrpc).toBe('2.0');
    if (m.method !== undefined) expect(m.method.length).toBeLessThanOrEqual(64);
  }
  return true;
}

const id = fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 64 }));
const method = fc.string({ minLength: 1, maxLength: 64 });
const validMessage = fc.oneof(
  fc.record({ jsonrpc: fc.constant('2.0'), id, method, params: fc.jsonValue() }).map((m) => ({ kind: 'client', m })),
  fc.record({ jsonrpc: fc.constant('2.0'), id, result: fc.jsonValue() }).map((m) => ({ kind: 'server', m })),
  fc.record({ jsonrpc: fc.constant('2.0'), method, params: fc.jsonValue() }).map((m) => ({ kind: 'both', m })),
);

describe('JSON-RPC envelopes under fuzzing', () => {
  it('arbitrary JSON text and values are accepted well-formed or refused, never thrown', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (text) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return true;
        }
        return checkEnvelope(value);
      }),
      { numRuns: fuzzRuns(5_000) },
    );
    fc.assert(fc.property(fc.anything(), checkEnvelope), { numRuns: fuzzRuns(5_000) });
  });

  it('valid messages are accepted; a removed or retyped key is handled without throwing', () => {
    fc.assert(
      fc.property(validMessage, fc.nat(), fc.anything(), ({ kind, m }, pick, junk) => {
        const schema = kind === 'server' ? serverMessageSchema : clientMessageSchema;
        expect(schema.safeParse(JSON.parse(JSON.stringify(m))).success).toBe(true);
        const keys = Object.keys(m);
        const key = keys[pick % keys.length]!;
        const { [key]: _dropped, ...without } = m as Record<string, unknown>;
        checkEnvelope(without);
        return checkEnvelope({ ...m, [key]: junk });
      }),
      { numRuns: fuzzRuns(3_000) },
    );
  });
});
