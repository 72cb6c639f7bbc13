/**
 * Test code (Node): one HTTP server on 127.0.0.1 that serves the page and its script, and a WebSocket endpoint
 * (/apdu, `ws`) in front of a card transport — each connection gets a fresh one from `transportFor()` (a fresh
 * simulated card, as a new tap). Replies follow apdu-frames.ts; errors travel as a status byte, never as text.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transport } from '@cccd/emrtd';
import { WebSocketServer } from 'ws';
import { EXCHANGE_TIMEOUT_MS, MAX_FRAME, REPLY } from './apdu-frames.js';

export interface ApduServer {
  /** The page: http://127.0.0.1:port/ */
  url: string;
  /** The APDU socket: ws://127.0.0.1:port/apdu */
  apduUrl: string;
  close(): Promise<void>;
}

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>cccd browser read</title><link rel="icon" href="data:,"><script src="/read.js"></script>';

function replyFor(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'card-removed' ? REPLY.removed : code === 'timeout' ? REPLY.timeout : REPLY.error;
}

const frame = (status: number, payload: Uint8Array = new Uint8Array(0)) => {
  const out = new Uint8Array(1 + payload.length);
  out[0] = status;
  out.set(payload, 1);
  return out;
};

export async function startApduServer(options: { script: string; transportFor: () => Transport }): Promise<ApduServer> {
  const http: Server = createServer((req, res) => {
    const [type, body] =
      req.url === '/' ? ['text/html', PAGE] : req.url === '/read.js' ? ['text/javascript', options.script] : [];
    res.writeHead(type ? 200 : 404, { 'content-type': `${type ?? 'text/plain'}; charset=utf-8` }).end(body ?? '');
  });
  const wss = new WebSocketServer({ server: http, path: '/apdu', maxPayload: MAX_FRAME });
  wss.on('connection', (socket) => {
    const transport = options.transportFor();
    // An oversized or malformed frame: ws closes the socket (1009, 1002) and reports it here; nothing to add.
    socket.on('error', () => undefined);
    // The page sends one APDU at a time; chaining keeps replies in order even if it did not.
    let queue = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      if (!isBinary || !Buffer.isBuffer(data)) {
        socket.close(1003, 'binary frames only');
        return;
      }
      const command = new Uint8Array(data);
      queue = queue.then(async () => {
        const reply = await transport.transmit(command, { timeoutMs: EXCHANGE_TIMEOUT_MS }).then(
          (bytes) => frame(REPLY.response, bytes),
          (error: unknown) => frame(replyFor(error)),
        );
        if (socket.readyState === socket.OPEN) socket.send(reply);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    apduUrl: `ws://127.0.0.1:${port}/apdu`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => http.close(() => resolve()));
        http.closeAllConnections();
      }),
  };
}
