/**
 * Access control (ICAO 9303-11 §4): PACE when EF.CardAccess offers it (CAN or MRZ), then SELECT of the eMRTD
 * application under SM; BAC (application first) only when allowed. Candidate keys are tried in order within a cap
 * of key-testing attempts; a refusal of PACE itself (not of the key) does not spend one.
 */
import type { PlainChannel } from '../apdu/channel.js';
import { selectApplicationCommand } from '../apdu/select.js';
import { expectSw } from '../apdu/status.js';
import { type PaceProtocol, parsePaceOid, type SmCipher } from '../asn1/oids.js';
import { performBac } from '../bac/bac.js';
import { isStandardizedDomainParameterId } from '../crypto/domain-params.js';
import { AccessDenied, EmrtdError } from '../errors.js';
import { type AccessKey, bacKeysOf, pacePasswordOf } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { type PaceInfoLike, type PaceResult, performPace } from '../pace/pace.js';
import { EMRTD_AID } from '../reader/files.js';
import { SecureChannel } from '../sm/secure-channel.js';

export interface AccessControlOptions {
  /** Allow BAC when PACE is not offered or fails for a non-key reason (default true). */
  allowBac?: boolean;
  /** Try PACE with MRZ keys before BAC when the chip offers PACE (default true). CAN keys always use PACE. */
  preferPace?: boolean;
  /** Authentication attempts that test a key, across all candidates (default 3). */
  maxAttempts?: number;
  /** See PaceOptions.sendParameterId (default 'when-ambiguous'). */
  sendParameterId?: 'when-ambiguous' | 'always' | 'never';
  /** Application to select (default the eMRTD AID A0000002471001). */
  aid?: Uint8Array;
}

export interface AccessResult {
  protocol: 'PACE' | 'BAC';
  keyKind: 'MRZ' | 'CAN';
  /** Label of the candidate that worked (no personal data). */
  keyLabel?: string;
  pace?: { oid: string; protocol: PaceProtocol; parameterId: number };
  cipher: SmCipher;
  /** Key-testing attempts spent, including the successful one. */
  attempts: number;
  /** Methods tried in order, e.g. ['PACE-CAN', 'BAC-MRZ']. */
  tried: string[];
  cardAccess?: Uint8Array;
  securityInfos?: SecurityInfos;
}

/** The key and method that worked: a lost session is re-established with them, without new user input. */
export interface WorkingAccess {
  candidate: CandidateKey;
  protocol: 'PACE' | 'BAC';
  paceInfo?: PaceInfoLike;
}

export type AccessKeys = AccessKey | CandidateKey | (AccessKey | CandidateKey)[];

export function toCandidates(keys: AccessKeys): CandidateKey[] {
  const list = Array.isArray(keys) ? keys : [keys];
  return list.map((k) => ('key' in k ? k : { key: k, label: k.kind }));
}

/** PACEInfos this reader can run, in CardAccess order. */
export function usablePaceInfos(infos: SecurityInfos | undefined): PaceInfoLike[] {
  return (infos?.paceInfos ?? []).filter((p) => {
    const proto = parsePaceOid(p.oid);
    if (!proto || p.parameterId === undefined || !isStandardizedDomainParameterId(p.parameterId)) return false;
    // IM point encoding needs p ≡ 3 mod 4: secp224r1 (ID 10) is the one standardized curve without it.
    if (proto.mapping === 'IM' && p.parameterId === 10) return false;
    // CAM is defined for ECDH with AES only (ICAO 9303-11 §4.4.3.3.3).
    return proto.mapping !== 'CAM' || (proto.keyAgreement === 'ECDH' && proto.cipher !== '3DES');
  });
}

/**
 * The PACEInfo to run: PACE-CAM when offered (it authenticates the chip within PACE, ICAO 9303-11 §4.4.3.3.3, saving
 * the separate Chip Authentication), else the first usable one in CardAccess order.
 */
export function preferredPaceInfo(infos: readonly PaceInfoLike[]): PaceInfoLike | undefined {
  return infos.find((p) => parsePaceOid(p.oid)?.mapping === 'CAM') ?? infos[0];
}

/** Only the token check of GA 4 tests the password; earlier refusals mean PACE itself is not usable. */
const isPasswordRefusal = (e: AccessDenied) => /mutual authentication|GA 4/.test(e.step ?? '');

const SELECT_APPLICATION = 'SELECT eMRTD application';

/**
 * Runs in the master file right after PACE, before the application is selected (PACE-CAM reads EF.CardSecurity
 * there). If it leaves the session broken (a chip that ends SM on an error), PACE is run once more and the hook is
 * called again without a channel: it may check the new run, not read.
 */
export type AfterPace = (pace: PaceResult, channel: SecureChannel | undefined) => Promise<void>;

/** PACE with one candidate, then the application under the new secure messaging. */
export async function runPace(
  plain: PlainChannel,
  working: WorkingAccess & { paceInfo: PaceInfoLike },
  ambiguous: boolean,
  options: AccessControlOptions,
  afterPace?: AfterPace,
): Promise<SecureChannel> {
  const pace = () =>
    performPace(plain, pacePasswordOf(working.candidate.key), working.paceInfo, {
      ambiguous,
      ...(options.sendParameterId ? { sendParameterId: options.sendParameterId } : {}),
    });
  const result = await pace();
  let secure = new SecureChannel(plain, result.sm);
  if (afterPace) {
    await afterPace(result, secure);
    if (secure.sm.broken) {
      const again = await pace();
      await afterPace(again, undefined);
      secure = new SecureChannel(plain, again.sm);
    }
  }
  const select = selectApplicationCommand(options.aid ?? EMRTD_AID);
  expectSw(SELECT_APPLICATION, await secure.send(select, SELECT_APPLICATION));
  return secure;
}

/** BAC with one candidate: the application is selected first, in the clear (9303-11 §4.3). */
export async function runBac(plain: PlainChannel, candidate: CandidateKey, options: AccessControlOptions) {
  const select = selectApplicationCommand(options.aid ?? EMRTD_AID);
  expectSw(SELECT_APPLICATION, await plain.send(select, SELECT_APPLICATION));
  const result = await performBac(plain, bacKeysOf(candidate.key));
  return new SecureChannel(plain, result.sm);
}

export interface Authenticated {
  channel: SecureChannel;
  working: WorkingAccess;
  access: AccessResult;
}

function accessResult(
  working: WorkingAccess,
  channel: SecureChannel,
  attempts: number,
  tried: string[],
  card: { cardAccess?: Uint8Array; infos?: SecurityInfos },
): AccessResult {
  const proto = working.paceInfo ? parsePaceOid(working.paceInfo.oid) : undefined;
  return {
    protocol: working.protocol,
    keyKind: working.candidate.key.kind,
    keyLabel: working.candidate.label,
    ...(proto && working.paceInfo
      ? { pace: { oid: working.paceInfo.oid, protocol: proto, parameterId: working.paceInfo.parameterId! } }
      : {}),
    cipher: channel.sm.cipher,
    attempts,
    tried,
    ...(card.cardAccess ? { cardAccess: card.cardAccess, securityInfos: card.infos } : {}),
  };
}

/**
 * Tries the candidates in order (PACE when offered, BAC for MRZ keys when allowed). A wrong key ends in
 * AccessDenied naming the methods tried, never a key.
 */
export async function authenticate(
  plain: PlainChannel,
  candidates: CandidateKey[],
  card: { cardAccess?: Uint8Array; infos?: SecurityInfos },
  options: AccessControlOptions,
  afterPace?: AfterPace,
): Promise<Authenticated> {
  const allowBac = options.allowBac ?? true;
  const preferPace = options.preferPace ?? true;
  const maxAttempts = options.maxAttempts ?? 3;
  const paceInfos = usablePaceInfos(card.infos);
  const ambiguous = (card.infos?.paceInfos.length ?? 0) > 1;
  let attempts = 0;
  const tried: string[] = [];
  let last: unknown;
  const paceBroken = new Set<'MRZ' | 'CAN'>();
  const done = (working: WorkingAccess, channel: SecureChannel): Authenticated => ({
    channel,
    working,
    access: accessResult(working, channel, attempts, tried, card),
  });

  for (const candidate of candidates) {
    const kind = candidate.key.kind;
    let keyRefused = false;
    const paceInfo = preferredPaceInfo(paceInfos);
    if (paceInfo && (kind === 'CAN' || preferPace) && !paceBroken.has(kind) && attempts < maxAttempts) {
      attempts++;
      tried.push(`PACE-${kind}`);
      try {
        const working = { candidate, protocol: 'PACE' as const, paceInfo };
        return done(working, await runPace(plain, working, ambiguous, options, afterPace));
      } catch (e) {
        if (!(e instanceof EmrtdError) || e.retriable || e.code === 'cancelled' || e.code === 'timeout') throw e;
        last = e;
        if (e instanceof AccessDenied && isPasswordRefusal(e)) keyRefused = true;
        else {
          // The chip refused PACE itself (e.g. MSE:Set AT 6A80/6982): no key was tested.
          attempts--;
          paceBroken.add(kind);
        }
      }
    }
    if (kind !== 'MRZ' || keyRefused || !allowBac || attempts >= maxAttempts) continue;
    attempts++;
    tried.push('BAC-MRZ');
    try {
      return done({ candidate, protocol: 'BAC' }, await runBac(plain, candidate, options));
    } catch (e) {
      if (!(e instanceof AccessDenied)) throw e;
      last = e;
    }
  }
  const methods = new Set(tried.map((t) => t.split('-')[0]));
  const method = methods.size === 1 ? ([...methods][0] as 'PACE' | 'BAC') : 'any';
  const sw = last instanceof EmrtdError ? last.sw : undefined;
  throw new AccessDenied(method, {
    step: tried.length ? tried.join(', ') : paceInfos.length ? 'no usable key' : 'no usable protocol',
    ...(sw === undefined ? {} : { sw }),
    attempts,
    cause: last,
  });
}
