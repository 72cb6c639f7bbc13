/**
 * Helpers for the pairing and /admin tests: a P-256 client key that signs agent challenges, the admin HTTP API,
 * and data folders prepared with a paired-clients.json (cleaned up by the caller's afterAll).
 */
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pairAuthMessage, toBase64 } from '@cccd/client';
import type { AgentHandle } from '../server.js';
import type { TestClient } from './harness.js';

export const ADMIN_TOKEN = 't'.repeat(32);
export const NATIVE_POLICY = [{ origin: 'native' as const, purpose: '*', fields: ['idNumber' as const] }];

export interface ClientKey {
  spki: string;
  sign(challenge: string): Promise<string>;
}

export async function clientKey(): Promise<ClientKey> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const spki = toBase64(new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey)));
  const sign = async (challenge: string) =>
    toBase64(
      new Uint8Array(
        await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, pairAuthMessage(challenge)),
      ),
    );
  return { spki, sign };
}

/** session.authenticate as a paired client on `client`, signing that connection's challenge. */
export async function pairedAuth(client: TestClient, clientId: string, key: ClientKey) {
  const hello = await client.waitFor((m) => m.method === 'agent.hello');
  return client.request('session.authenticate', { clientId, signature: await key.sign(hello.params.challenge) });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function http(
  agent: AgentHandle,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: agent.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The admin API with the right token (override headers to test refusals). */
export function admin(agent: AgentHandle, method: string, path: string, headers: Record<string, string> = {}) {
  return http(agent, path, { method, headers: { 'X-Admin-Token': ADMIN_TOKEN, ...headers } });
}

const prepared: string[] = [];

/** A data folder holding `paired-clients.json` with `content` (a value to serialise, or raw text). */
export function dataDirWith(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cccd-pairing-test-'));
  prepared.push(dir);
  writeFileSync(join(dir, 'paired-clients.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

export function removePreparedDirs(): void {
  for (const d of prepared.splice(0)) rmSync(d, { recursive: true, force: true });
}
