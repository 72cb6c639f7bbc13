/**
 * The agent's result signature, Web eID style (auth token v2 signs hash(origin) + hash(nonce)): hashing each part
 * fixes the field boundaries, and origin and nonce are not inside the payload so the backend must rebuild them
 * from its own trusted store instead of trusting what the page relays.
 *
 *   message   = SHA-256(utf8(origin)) ‖ SHA-256(utf8(nonce)) ‖ SHA-256(utf8(canonicalPayload(result)))   (96 bytes)
 *   signature = Ed25519 over message (alg 'Ed25519', the agent's default), or ECDSA P-256 / SHA-256 over message
 *               as IEEE P1363 r‖s (alg 'ES256'); base64
 *   publicKey = SPKI DER of the agent's device key, base64
 *
 * canonicalPayload = RFC 8785 (JCS) JSON of the result without `agentSig`. The payload holds only strings,
 * booleans, null, integers, arrays and plain objects, for which JCS is "sort keys by UTF-16 code units, no
 * whitespace, JSON.stringify scalars". WebCrypto only, so this runs in browsers and Node ≥ 20 alike.
 */
import type { AgentSig, ReadResult, UnsignedReadResult } from './protocol.js';

type SigAlg = AgentSig['alg'];
const IMPORT: Record<SigAlg, EcKeyImportParams | Algorithm> = {
  Ed25519: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
};
const SIGN: Record<SigAlg, EcdsaParams | Algorithm> = {
  Ed25519: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
};

function algOf(key: CryptoKey): SigAlg {
  if (key.algorithm.name === 'Ed25519') return 'Ed25519';
  if (key.algorithm.name === 'ECDSA' && (key.algorithm as EcKeyAlgorithm).namedCurve === 'P-256') return 'ES256';
  throw new TypeError('agent signing key must be Ed25519 or ECDSA P-256');
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is not available in this environment');
  return s;
}

/** RFC 8785 canonical JSON of plain data; throws TypeError on values JSON cannot represent exactly. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new TypeError('canonicalJson: not a plain object');
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported type ${typeof value}`);
}

/** The signed payload: the whole read result except `agentSig`, canonicalised. */
export function canonicalPayload(result: ReadResult | UnsignedReadResult): string {
  const { agentSig: _ignored, ...payload } = result as ReadResult;
  return canonicalJson(payload);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', new TextEncoder().encode(text)));
}

/** The 96-byte message the agent signs for one result, bound to the page's origin and the backend's nonce. */
export async function agentSigMessage(
  origin: string,
  nonce: string,
  result: ReadResult | UnsignedReadResult,
): Promise<Uint8Array> {
  const parts = await Promise.all([sha256(origin), sha256(nonce), sha256(canonicalPayload(result))]);
  const out = new Uint8Array(96);
  parts.forEach((p, i) => {
    out.set(p, i * 32);
  });
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Signs a result (agent side). `privateKey` is an Ed25519 or ECDSA P-256 CryptoKey usable for 'sign'. */
export async function signReadResult(
  unsigned: UnsignedReadResult,
  options: { origin: string; nonce: string; privateKey: CryptoKey; publicKeySpki: Uint8Array },
): Promise<ReadResult> {
  const alg = algOf(options.privateKey);
  const message = await agentSigMessage(options.origin, options.nonce, unsigned);
  const signature = new Uint8Array(await subtle().sign(SIGN[alg], options.privateKey, message as BufferSource));
  const agentSig: AgentSig = {
    alg,
    publicKey: toBase64(options.publicKeySpki),
    signature: toBase64(signature),
  };
  return { ...unsigned, agentSig };
}

/**
 * Backend-side check. `origin` and `nonce` must come from the backend's own records (the ticket it issued), not
 * from the page. Pass `trustedPublicKey` (base64 SPKI of the enrolled agent) to pin the device; without it the
 * check only proves integrity under whatever key the result names. Never throws for bad input: false.
 */
export async function verifyAgentSig(
  result: ReadResult,
  options: { origin: string; nonce: string; trustedPublicKey?: string },
): Promise<boolean> {
  const sig = result.agentSig;
  if (sig?.alg !== 'Ed25519' && sig?.alg !== 'ES256') return false;
  if (options.trustedPublicKey !== undefined && options.trustedPublicKey !== sig.publicKey) return false;
  try {
    const spki = fromBase64(sig.publicKey) as BufferSource;
    const key = await subtle().importKey('spki', spki, IMPORT[sig.alg], false, ['verify']);
    const message = await agentSigMessage(options.origin, options.nonce, result);
    return await subtle().verify(
      SIGN[sig.alg],
      key,
      fromBase64(sig.signature) as BufferSource,
      message as BufferSource,
    );
  } catch {
    return false;
  }
}

/** What a paired desktop client signs (Ed25519 or ES256) to authenticate: binds the signature to this protocol and hello. */
export function pairAuthMessage(challenge: string): Uint8Array {
  return new TextEncoder().encode(`cccd-agent.v1 session.authenticate ${challenge}`);
}
