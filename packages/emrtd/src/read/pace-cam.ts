/**
 * PACE-CAM, the read's side (ICAO 9303-11 §4.4.3.3.3, §4.4.3.5.2 and §9.2.2; BSI TR-03110-2 §3.4.2): right after
 * PACE with Chip Authentication Mapping, still in the master file and before the eMRTD application is selected (EF.SOD
 * and EF.CardSecurity are both 011D), EF.CardSecurity is read under the new secure messaging; its
 * ChipAuthenticationPublicKeyInfo on the PACE curve gives PK_IC, and PK_Map,IC = CA_IC · PK_IC is checked. That
 * proves the chip holds the key EF.CardSecurity names; it proves a genuine chip once EF.CardSecurity passes passive
 * authentication (verification.ts), as DG14 must for Chip Authentication.
 */
import type { ExchangeStats } from '../apdu/channel.js';
import { domainParameters, type EcDomainParameters } from '../crypto/domain-params.js';
import { EmrtdError, FileNotFound, SecurityStatusNotSatisfied } from '../errors.js';
import { parseCardSecurity } from '../lds/card-security.js';
import { checkChipAuthenticationMapping } from '../pace/cam.js';
import type { PaceResult } from '../pace/pace.js';
import { resolveCurve } from '../pki/ec.js';
import { type FileSession, readFile } from '../reader/file-reader.js';
import { FILES } from '../reader/files.js';
import type { ReadSizes } from '../reader/read-size.js';
import type { SecureChannel } from '../sm/secure-channel.js';
import type { TransportCapabilities } from '../transport.js';
import { ecStaticPublicKey } from './ca-selection.js';

/**
 * PACE with Chip Authentication Mapping (ICAO 9303-11 §4.4.3.3.3): present when access control ran PACE-CAM.
 * match: CA_IC · PK_IC = PK_Map,IC for a key in EF.CardSecurity (the chip holds that key; it proves a genuine chip
 * only when EF.CardSecurity passes passive authentication, checked in the verdict). mismatch: it fits no key there.
 * not-checked: see `notChecked`. The file itself is in `raw.CardSecurity` when it was read. A mismatch is answered
 * by Chip Authentication with DG14 (chip-authentication.ts), which the verdict weighs (verify/chip-auth.ts).
 */
export interface PaceCamReport {
  result: 'match' | 'mismatch' | 'not-checked';
  notChecked?:
    | 'card-security-missing'
    | 'card-security-unreadable'
    | 'card-security-malformed'
    | 'no-key'
    | 'unsupported'
    /**
     * DO'8A' was absent, ragged or badly padded under every IV reading. It travels without a MAC, so this may be
     * the path's doing, not the chip's: nothing is proven either way (never a mismatch), and CA with DG14 runs.
     */
    | 'cam-data-missing';
  /** keyId of the ChipAuthenticationPublicKeyInfo that matched, when it has one. */
  keyId?: number;
}

/** The static key a CAM check matched, kept so a resumed session's new CAM data can be checked against it. */
export interface PaceCamKey {
  params: EcDomainParameters;
  publicKey: Uint8Array;
}

export interface PaceCamOutcome {
  report: PaceCamReport;
  /** EF.CardSecurity as read (kept in the read result's `raw` for passive authentication and evidence). */
  cardSecurity?: Uint8Array;
  key?: PaceCamKey;
}

export interface CardSecurityLink {
  channel: SecureChannel;
  stats: ExchangeStats;
  capabilities: TransportCapabilities | undefined;
  readSizes?: ReadSizes;
}

// EF.CardSecurity is a SignedData with a DS certificate: a few KB. No resume inside PACE: a lost session restarts it.
const READ_OPTIONS = { maxFileSize: 64 * 1024, maxResumes: 0 };

/**
 * Reads EF.CardSecurity at master-file level. A chip without it (6A82) or protecting it (6982) gives undefined plus
 * the reason; link trouble is thrown (access control restarts). Learned read sizes are written back to `link`.
 */
export async function readCardSecurity(
  link: CardSecurityLink,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array } | { notChecked: 'card-security-missing' | 'card-security-unreadable' }> {
  const session: FileSession & { readSizes?: ReadSizes } = {
    channel: link.channel,
    stats: link.stats,
    cipher: link.channel.sm.cipher,
    capabilities: link.capabilities,
    ...(link.readSizes ? { readSizes: link.readSizes } : {}),
    get lost() {
      return link.channel.sm.broken;
    },
    reestablish: () =>
      Promise.reject(new EmrtdError('secure-messaging', 'session lost reading EF.CardSecurity', { retriable: true })),
  };
  const options = { ...READ_OPTIONS, ...(signal ? { signal } : {}) };
  const refusal = (e: unknown) =>
    e instanceof EmrtdError && !e.retriable && e.code !== 'cancelled' && e.code !== 'timeout';
  try {
    try {
      return { bytes: (await readFile(session, FILES.CardSecurity, options)).bytes };
    } catch (e) {
      // Some chips refuse SELECT by FID outside an application; ICAO gives EF.CardSecurity the SFI 1D as well.
      const selectRefused = refusal(e) && !(e instanceof FileNotFound) && !(e instanceof SecurityStatusNotSatisfied);
      if (!selectRefused || session.lost) throw e;
      return { bytes: (await readFile(session, FILES.CardSecurity, { ...options, useSfi: true })).bytes };
    }
  } catch (e) {
    if (e instanceof FileNotFound) return { notChecked: 'card-security-missing' };
    if (refusal(e)) return { notChecked: 'card-security-unreadable' };
    throw e;
  } finally {
    if (session.readSizes) link.readSizes = session.readSizes;
  }
}

/** The ECDH static keys in EF.CardSecurity on the PACE curve (TR-03110-3 A.1.2.2), in file order. */
function staticKeysOn(
  cardSecurity: Uint8Array,
  params: EcDomainParameters,
): { keys: { keyId?: number; publicKey: Uint8Array }[] } | { malformed: true } {
  let infos: ReturnType<typeof parseCardSecurity>['securityInfos'];
  try {
    infos = parseCardSecurity(cardSecurity).securityInfos;
  } catch (e) {
    if (e instanceof EmrtdError) return { malformed: true };
    throw e;
  }
  const keys: { keyId?: number; publicKey: Uint8Array }[] = [];
  for (const info of infos.chipAuthenticationPublicKeyInfos) {
    if (info.keyAgreement !== 'ECDH') continue;
    if (resolveCurve(info.publicKey.domainParameters)?.params.name !== params.name) continue;
    try {
      const publicKey = ecStaticPublicKey(info.publicKey, params, 'EF.CardSecurity chip authentication public key');
      keys.push({ ...(info.keyId === undefined ? {} : { keyId: info.keyId }), publicKey });
    } catch (e) {
      if (!(e instanceof EmrtdError)) throw e;
    }
  }
  return { keys };
}

/** CA_IC as ICAO specifies it, then the alternative IV readings (pace.ts decryptChipAuthenticationData). */
function fitsAnyReading(
  params: EcDomainParameters,
  cam: NonNullable<PaceResult['chipAuthentication']>,
  staticKey: Uint8Array,
): boolean {
  return [cam.data, ...(cam.alternatives ?? [])].some(
    (caIc) => checkChipAuthenticationMapping(params, caIc, cam.mappingPublicKey, staticKey).match,
  );
}

/**
 * Checks one PACE-CAM run against EF.CardSecurity's keys. Any key that fits counts (the PACEInfo names no key; a
 * chip with several keys on the curve may use any of them). Nothing is verified about the file itself here.
 */
export function checkPaceCam(
  pace: Pick<PaceResult, 'parameterId' | 'chipAuthentication'>,
  cardSecurity: Uint8Array,
): PaceCamOutcome {
  const cam = pace.chipAuthentication;
  const params = domainParameters(pace.parameterId);
  if (!cam || params.kind !== 'EC') return { report: { result: 'not-checked', notChecked: 'unsupported' } };
  if ([cam.data, ...(cam.alternatives ?? [])].every((caIc) => caIc.length === 0))
    return { report: { result: 'not-checked', notChecked: 'cam-data-missing' }, cardSecurity };
  const found = staticKeysOn(cardSecurity, params);
  if ('malformed' in found)
    return { report: { result: 'not-checked', notChecked: 'card-security-malformed' }, cardSecurity };
  if (found.keys.length === 0) return { report: { result: 'not-checked', notChecked: 'no-key' }, cardSecurity };
  for (const key of found.keys) {
    if (fitsAnyReading(params, cam, key.publicKey))
      return {
        report: { result: 'match', ...(key.keyId === undefined ? {} : { keyId: key.keyId }) },
        cardSecurity,
        key: { params, publicKey: key.publicKey },
      };
  }
  return { report: { result: 'mismatch' }, cardSecurity };
}

/** A resumed session's new CAM data against the key the first run matched. */
export function camStillMatches(pace: Pick<PaceResult, 'chipAuthentication'>, key: PaceCamKey): boolean {
  const cam = pace.chipAuthentication;
  if (!cam) return false;
  try {
    return fitsAnyReading(key.params, cam, key.publicKey);
  } catch (e) {
    if (e instanceof EmrtdError) return false;
    throw e;
  }
}
