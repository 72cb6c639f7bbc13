/** parseServerFrame as a table: what each kind of frame from the agent becomes before anything acts on it. */
import { describe, expect, it } from 'vitest';
import { parseServerFrame } from './rpc.js';

const json = (v: unknown) => JSON.stringify(v);
const status = json({ jsonrpc: '2.0', method: 'agent.status', params: { pcsc: 'up' } });

describe('parseServerFrame', () => {
  const cases: [string, unknown, unknown][] = [
    ['a valid notification, params typed', status, { notification: { name: 'agent.status', params: { pcsc: 'up' } } }],
    [
      'a result',
      json({ jsonrpc: '2.0', id: 3, result: { t: 1 } }),
      { response: { jsonrpc: '2.0', id: 3, result: { t: 1 } } },
    ],
    [
      'an error answer is a response too',
      json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }),
      { response: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } } },
    ],
    ['binary', new Uint8Array([1]), { problem: 'binary frame' }],
    ['not JSON', '{"jsonrpc"', { problem: 'invalid JSON' }],
    ['JSON but not JSON-RPC', json({ id: 1, result: {} }), { problem: 'invalid JSON-RPC envelope' }],
    [
      'an extra envelope key',
      json({ jsonrpc: '2.0', id: 1, result: {}, x: 1 }),
      { problem: 'invalid JSON-RPC envelope' },
    ],
    [
      'an unknown notification',
      json({ jsonrpc: '2.0', method: 'agent.reboot', params: {} }),
      { problem: 'unknown notification' },
    ],
    [
      'an inherited name is not a notification',
      json({ jsonrpc: '2.0', method: 'toString', params: {} }),
      { problem: 'unknown notification' },
    ],
    [
      'a notification with an extra param',
      json({ jsonrpc: '2.0', method: 'card.removed', params: { readerId: 'r', atr: '3B' } }),
      { problem: 'invalid card.removed params' },
    ],
  ];
  it.each(cases)('%s', (_, frame, expected) => {
    expect(parseServerFrame(frame, 1000)).toEqual(expected);
  });

  it('the size limit is inclusive and checked before parsing', () => {
    expect(parseServerFrame(status, status.length)).toHaveProperty('notification');
    expect(parseServerFrame(status, status.length - 1)).toEqual({ problem: 'frame too large' });
  });
});
