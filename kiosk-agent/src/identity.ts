/**
 * Per-install secrets in the data folder (mode 0700, files 0600): the device signing key (ECDSA P-256, the
 * protocol's ES256 agentSig), the audit HMAC key and the random agent ID. Generated on first start; nothing
 * personal is ever written here.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeviceIdentity {
  agentId: string;
  /** WebCrypto ECDSA P-256 key, usable for 'sign' only (not extractable once imported). */
  privateKey: CryptoKey;
  /** SubjectPublicKeyInfo DER. */
  publicKeySpki: Uint8Array;
  auditKey: Uint8Array;
}

function readOrCreate(path: string, create: () => string | Buffer): Buffer {
  if (!existsSync(path)) {
    // 'wx' fails if another process created it first: then we read theirs.
    try {
      writeFileSync(path, create(), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  try {
    chmodSync(path, 0o600);
  } catch {
    // best effort (on Windows the ACLs come from the folder)
  }
  return readFileSync(path);
}

export async function loadIdentity(dataDir: string, configuredAgentId?: string): Promise<DeviceIdentity> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pem = readOrCreate(join(dataDir, 'device-key.pem'), () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ).toString('utf8');
  const keyObject = createPrivateKey(pem);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const privateKey = (await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
  ])) as CryptoKey;
  const publicKeySpki = new Uint8Array(createPublicKey(keyObject).export({ type: 'spki', format: 'der' }));
  const auditKey = new Uint8Array(readOrCreate(join(dataDir, 'audit.key'), () => randomBytes(32)));
  const agentId =
    configuredAgentId ??
    readOrCreate(join(dataDir, 'agent-id'), () => randomBytes(12).toString('base64url'))
      .toString('utf8')
      .trim();
  return { agentId, privateKey, publicKeySpki, auditKey };
}
