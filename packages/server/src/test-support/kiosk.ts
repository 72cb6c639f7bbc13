/**
 * A simulated kiosk for tests and the benchmark: a software CCCD (simulator personalisation, invented citizen,
 * test CSCA), an ES256 device key like the agent's (kiosk-agent/src/identity.ts), and results signed exactly as the
 * agent signs them (signReadResult), with an evidence bundle that carries only the data groups the released fields
 * allow (kiosk-agent/src/evidence.ts) and a real AA exchange (ECDSA brainpoolP256r1, as the CCCD).
 */
import {
  type CccdField,
  DATA_GROUP_FIELDS,
  type Evidence,
  type ReadResult,
  signReadResult,
  toBase64,
  type UnsignedReadResult,
} from '@cccd/client';
import {
  createEvidence,
  type DgName,
  parseDg1,
  parseDg2,
  parseDg13,
  serializeEvidence,
  TrustStore,
  toCccdDocument,
} from '@cccd/emrtd';
import { FID, loadProfile, type PersonalisedCard, personalise } from '@cccd/simulator';
import { activeAuthenticate } from '../../../../simulator/src/card/emrtd/active-auth.js';

export interface KioskDevice {
  agentId: string;
  privateKey: CryptoKey;
  /** SPKI DER, base64: what an administrator enrols. */
  publicKey: string;
  publicKeySpki: Uint8Array;
}

export async function kioskDevice(agentId: string): Promise<KioskDevice> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const publicKeySpki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return { agentId, privateKey: pair.privateKey, publicKey: toBase64(publicKeySpki), publicKeySpki };
}

export interface SimulatedCard {
  card: PersonalisedCard;
  /** A trust store with the card's test CSCA (what a server configured for it would load). */
  trustStore: () => TrustStore;
  /** The citizen's fields as the agent would release them (invented data). */
  fields: Record<string, unknown>;
}

export async function simulatedCard(seed = 7): Promise<SimulatedCard> {
  const card = await personalise(loadProfile('cccd-2021-adult'), {
    seed,
    activeAuthentication: { type: 'ECDSA', curve: 'brainpoolP256r1', hash: 'SHA-256' },
  });
  const file = (n: number) => card.files.get(FID.dg(n));
  const dg1 = file(1);
  const dg13 = file(13);
  const doc = toCccdDocument({
    ...(dg1 ? { dg1: parseDg1(dg1) } : {}),
    ...(dg13 ? { dg13: parseDg13(dg13) } : {}),
  });
  const pki = card.pki;
  if (!pki) throw new Error('simulated card without PKI');
  return {
    card,
    trustStore: () => {
      const store = new TrustStore();
      store.addCertificate(pki.cscaCertDer, 'simulator test CSCA');
      return store;
    },
    // As the agent releases them (kiosk-agent fields.ts pickFields): a card without expiry says 'none'.
    fields: { ...doc, dateOfExpiry: doc.noExpiry ? 'none' : doc.dateOfExpiry } as Record<string, unknown>,
  };
}

const GROUPS: Record<string, readonly CccdField[]> = DATA_GROUP_FIELDS;

/** The evidence bundle the agent would send for these released fields (DG14/DG15 always, others when released). */
export function evidenceFor(sim: SimulatedCard, released: readonly CccdField[]): Evidence {
  const { card } = sim;
  const sod = card.files.get(FID.sod);
  if (!sod) throw new Error('card without EF.SOD');
  const dataGroups: Partial<Record<DgName, Uint8Array>> = {};
  for (const n of [1, 2, 13, 14, 15]) {
    const bytes = card.files.get(FID.dg(n));
    const name = `DG${n}` as DgName;
    const carried = GROUPS[name];
    if (bytes && (!carried || carried.every((f) => released.includes(f)))) dataGroups[name] = bytes;
  }
  const aaKey = card.activeAuthentication;
  const challenge = crypto.getRandomValues(new Uint8Array(8));
  const response = aaKey ? activeAuthenticate(aaKey, challenge, (n) => new Uint8Array(n)) : undefined;
  const bundle = createEvidence({
    sod,
    dataGroups,
    ...(response ? { activeAuthentication: { challenge, response } } : {}),
    chipAuthentication: { succeeded: true, protocol: '0.4.0.127.0.7.2.2.3.2.4' },
  });
  return JSON.parse(serializeEvidence(bundle)) as Evidence;
}

export interface SignOptions {
  origin: string;
  nonce: string;
  fields: readonly CccdField[];
  simulated?: boolean;
  evidence?: boolean;
}

/** An unsigned result as the agent builds it for a read that released `fields`. */
export function unsignedResult(sim: SimulatedCard, o: SignOptions): UnsignedReadResult {
  const fields: Record<string, unknown> = {};
  for (const f of o.fields) if (f !== 'photo') fields[f] = sim.fields[f] ?? null;
  const dg2 = sim.card.files.get(FID.dg(2));
  const face = o.fields.includes('photo') && dg2 ? parseDg2(dg2).faces[0] : undefined;
  return {
    ...(face ? { photo: { mime: 'image/jpeg' as const, b64: toBase64(face.image) } } : {}),
    readId: `r-${Math.random().toString(36).slice(2, 10)}`,
    fields: fields as UnsignedReadResult['fields'],
    verification: {
      overall: 'authentic',
      passive: { status: 'valid', dataGroups: { DG1: 'match', DG13: 'match' }, reasons: [] },
      chip: { status: 'valid' },
      active: { status: 'valid' },
    },
    simulated: o.simulated ?? false,
    ...(o.evidence === false ? {} : { evidence: evidenceFor(sim, o.fields), evidenceWithheld: [] }),
  };
}

export async function signedResult(device: KioskDevice, sim: SimulatedCard, o: SignOptions): Promise<ReadResult> {
  return signReadResult(unsignedResult(sim, o), {
    origin: o.origin,
    nonce: o.nonce,
    privateKey: device.privateKey,
    publicKeySpki: device.publicKeySpki,
  });
}

/** Re-signs an edited result with the device key, as a compromised agent (or its key) would. */
export async function resign(device: KioskDevice, r: ReadResult, origin: string, nonce: string): Promise<ReadResult> {
  const { agentSig: _old, ...unsigned } = r;
  return signReadResult(unsigned, {
    origin,
    nonce,
    privateKey: device.privateKey,
    publicKeySpki: device.publicKeySpki,
  });
}
