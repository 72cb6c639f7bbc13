/**
 * Opening a session on the chip: SELECT EF.CardAccess directly (never SELECT MF: CCCD answers 6D00; by SFI when the
 * SELECT is refused), parse its SecurityInfos by OID, run PACE when offered (CAN or MRZ), then SELECT the eMRTD
 * application under SM; fall back to BAC (select the application first) only when allowed. Candidate keys are tried
 * in order within a cap; the key and method that worked are kept so a lost session can be re-established (resume)
 * without new user input.
 */
import {
  type ActiveAuthenticationExchange,
  type InternalAuthenticateOptions,
  internalAuthenticate,
} from '../aa/active-auth.js';
import { type ExchangeOptions, type ExchangeStats, newStats, PlainChannel } from '../apdu/channel.js';
import { expectSw } from '../apdu/status.js';
import { type PaceProtocol, parsePaceOid, type SmCipher } from '../asn1/oids.js';
import { performBac } from '../bac/bac.js';
import {
  type ChipAuthenticationCommand,
  type ChipAuthenticationOptions,
  type ChipAuthenticationRecord,
  isTransientError,
  performChipAuthentication,
} from '../ca/chip-auth.js';
import type { ChipAuthenticationParameters } from '../ca/parameters.js';
import { isStandardizedDomainParameterId } from '../crypto/domain-params.js';
import { AccessDenied, EmrtdError } from '../errors.js';
import { type AccessKey, bacKeysOf, pacePasswordOf } from '../keys/access-key.js';
import type { CandidateKey } from '../keys/cccd-qr.js';
import { parseCardAccess, type SecurityInfos } from '../lds/card-access.js';
import { parseDg14 } from '../lds/dg14.js';
import { type PaceInfoLike, performPace } from '../pace/pace.js';
import {
  type FileReadOptions,
  type FileReadReport,
  type FileSession,
  readFile,
  selectFile,
} from '../reader/file-reader.js';
import { EMRTD_AID, FILES, type FileRef } from '../reader/files.js';
import type { ReadSizes } from '../reader/read-size.js';
import { SecureChannel } from '../sm/secure-channel.js';
import type { SecureMessaging } from '../sm/secure-messaging.js';
import type { Transport, TransportCapabilities } from '../transport.js';
import { type SelectChipAuthenticationOptions, selectChipAuthentication } from './ca-selection.js';

export interface SessionOptions extends ExchangeOptions {
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
  /**
   * Times access control is restarted after tag loss or a silent card (default 2). The field is weakest during
   * the PACE/CA public-key arithmetic, so a drop there is common; each restart reconnects and starts over.
   */
  openRetries?: number;
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

const SELECT_CARD_ACCESS = 'SELECT EF.CardAccess';

function toCandidates(keys: AccessKey | CandidateKey | (AccessKey | CandidateKey)[]): CandidateKey[] {
  const list = Array.isArray(keys) ? keys : [keys];
  return list.map((k) => ('key' in k ? k : { key: k, label: k.kind }));
}

/** PACEInfos this reader can run, in CardAccess order. */
export function usablePaceInfos(infos: SecurityInfos | undefined): PaceInfoLike[] {
  return (infos?.paceInfos ?? []).filter((p) => {
    const proto = parsePaceOid(p.oid);
    if (!proto || p.parameterId === undefined || !isStandardizedDomainParameterId(p.parameterId)) return false;
    // IM point encoding needs p ≡ 3 mod 4: secp224r1 (ID 10) is the one standardized curve without it.
    return !(proto.mapping === 'IM' && p.parameterId === 10);
  });
}

/** Only the token check of GA 4 tests the password; earlier refusals mean PACE itself is not usable. */
const isPasswordRefusal = (e: AccessDenied) => /mutual authentication|GA 4/.test(e.step ?? '');

export class CardSession implements FileSession {
  readonly stats: ExchangeStats = newStats();
  readonly capabilities: TransportCapabilities | undefined;
  readSizes?: ReadSizes;
  pastEndRefused?: boolean;
  private plain: PlainChannel;
  private secure!: SecureChannel;
  private working?: { candidate: CandidateKey; protocol: 'PACE' | 'BAC'; paceInfo?: PaceInfoLike };
  access!: AccessResult;
  /** Times the session was re-established after a loss. */
  resumes = 0;
  /** The last Chip Authentication attempt on this session, if any. */
  chipAuthentication?: ChipAuthenticationRecord;
  /** Set once CA succeeded: a resumed session must redo it before reading on. */
  private chipAuthenticated?: { params: ChipAuthenticationParameters; command: ChipAuthenticationCommand };

  constructor(
    readonly transport: Transport,
    readonly options: SessionOptions = {},
  ) {
    this.capabilities = transport.capabilities;
    this.plain = new PlainChannel(transport, { timeoutMs: options.timeoutMs, signal: options.signal }, this.stats);
  }

  get channel(): SecureChannel {
    return this.secure;
  }

  get sm(): SecureMessaging {
    return this.secure.sm;
  }

  get cipher(): SmCipher {
    return this.secure.sm.cipher;
  }

  get lost(): boolean {
    return this.secure.sm.broken;
  }

  /** Runs access control with the candidates (see openSession). */
  async open(keys: AccessKey | CandidateKey | (AccessKey | CandidateKey)[]): Promise<AccessResult> {
    const candidates = toCandidates(keys);
    if (candidates.length === 0) throw new EmrtdError('invalid-argument', 'no access key given');
    const allowBac = this.options.allowBac ?? true;
    const preferPace = this.options.preferPace ?? true;
    const maxAttempts = this.options.maxAttempts ?? 3;
    const { cardAccess, infos } = await this.readCardAccess();
    const paceInfos = usablePaceInfos(infos);
    const ambiguous = (infos?.paceInfos.length ?? 0) > 1;
    let attempts = 0;
    const tried: string[] = [];
    let last: unknown;
    const paceBroken = new Set<'MRZ' | 'CAN'>();

    for (const candidate of candidates) {
      const kind = candidate.key.kind;
      let keyRefused = false;
      const paceInfo = paceInfos[0];
      if (paceInfo && (kind === 'CAN' || preferPace) && !paceBroken.has(kind) && attempts < maxAttempts) {
        attempts++;
        tried.push(`PACE-${kind}`);
        try {
          await this.runPace(candidate, paceInfo, ambiguous);
          return this.done({ candidate, protocol: 'PACE', paceInfo }, attempts, tried, cardAccess, infos);
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
        await this.runBac(candidate);
        return this.done({ candidate, protocol: 'BAC' }, attempts, tried, cardAccess, infos);
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

  /**
   * Reconnects (when the transport can) and redoes access control with the key and method that worked, then Chip
   * Authentication when it had succeeded: data read after a resume must still come from the authenticated chip.
   */
  async reestablish(): Promise<void> {
    await this.reauthenticate();
    const ca = this.chipAuthenticated;
    if (ca) {
      const r = await performChipAuthentication(this.secure, ca.params, { command: ca.command });
      this.chipAuthentication = r.transcript;
      if (!r.channel)
        throw new EmrtdError(
          'secure-messaging',
          'chip authentication failed when resuming: the card may have been swapped',
          {
            step: 'CA resume',
            retriable: false,
          },
        );
      this.secure = r.channel;
    }
    this.resumes++;
  }

  /**
   * Chip Authentication (ICAO 9303-11 §6.2) with DG14's key; on success reading continues under the new keys.
   * A failure is recorded in the returned transcript and the session is re-opened with PACE/BAC (without CA): the
   * old keys are never reused after a failed CA. A refusal answered under the current keys (a protected error
   * before the key went out) keeps the session: nothing was derived, so there is nothing to distrust. Throws
   * EmrtdError('unsupported') when DG14 offers nothing this reader can run, MalformedData for a bad DG14, and
   * transport errors after one reconnect-and-retry.
   */
  async chipAuthenticate(
    dg14: Uint8Array | SecurityInfos,
    options: ChipAuthenticationOptions & SelectChipAuthenticationOptions = {},
  ): Promise<ChipAuthenticationRecord> {
    const params = selectChipAuthentication(dg14 instanceof Uint8Array ? parseDg14(dg14) : dg14, options);
    let result: Awaited<ReturnType<typeof performChipAuthentication>> | undefined;
    for (let attempt = 0; !result; attempt++) {
      if (this.lost) await this.reestablish();
      try {
        const r = await performChipAuthentication(this.secure, params, options);
        // A MAC failure under the new keys is how CA fails, but a noisy link looks the same: one more try on a
        // fresh session before the chip is reported as not holding its key (a false "invalid" for a real card).
        if (!r.channel && r.transcript.failure?.code === 'secure-messaging' && attempt === 0) {
          await this.reauthenticate();
          continue;
        }
        result = r;
      } catch (e) {
        const linkError = isTransientError(e) || (e instanceof EmrtdError && e.code === 'secure-messaging');
        if (attempt > 0 || !linkError || (e as EmrtdError).code === 'cancelled') throw e;
        await this.reauthenticate();
      }
    }
    this.chipAuthentication = result.transcript;
    if (result.channel) {
      this.secure = result.channel;
      this.chipAuthenticated = { params, command: result.transcript.command };
    } else if (!result.transcript.sessionKept) await this.reauthenticate();
    return result.transcript;
  }

  /** INTERNAL AUTHENTICATE under the current secure messaging (re-established first when lost). */
  async activeAuthenticate(options: InternalAuthenticateOptions = {}): Promise<ActiveAuthenticationExchange> {
    if (this.lost) await this.reestablish();
    return internalAuthenticate(this.secure, {
      extendedLength: this.capabilities?.extendedLength === true,
      ...options,
    });
  }

  /** Reconnect + PACE/BAC with the working key, without Chip Authentication. */
  private async reauthenticate(): Promise<void> {
    if (!this.working) throw new EmrtdError('invalid-argument', 'session was never opened');
    await this.transport.reconnect?.({ signal: this.options.signal, timeoutMs: this.options.timeoutMs });
    const { candidate, protocol, paceInfo } = this.working;
    const again = () =>
      protocol === 'PACE' && paceInfo ? this.runPace(candidate, paceInfo, false) : this.runBac(candidate);
    try {
      await again();
    } catch (e) {
      // A chip still holding the old session (a reader that did not reset it: PC/SC keeps the card powered) answers
      // the first plain command 6982/6987/6988 and ends that session (TR-03110-3 §F): the second try is clean.
      if (!(e instanceof EmrtdError) || ![0x6982, 0x6987, 0x6988].includes(e.sw ?? 0)) throw e;
      await again();
    }
  }

  async readFile(file: FileRef, options: FileReadOptions = {}): Promise<{ bytes: Uint8Array; report: FileReadReport }> {
    return readFile(this, file, { signal: this.options.signal, ...options });
  }

  private done(
    working: NonNullable<CardSession['working']>,
    attempts: number,
    tried: string[],
    cardAccess: Uint8Array | undefined,
    infos: SecurityInfos | undefined,
  ): AccessResult {
    this.working = working;
    const proto = working.paceInfo ? parsePaceOid(working.paceInfo.oid) : undefined;
    this.access = {
      protocol: working.protocol,
      keyKind: working.candidate.key.kind,
      keyLabel: working.candidate.label,
      ...(proto && working.paceInfo
        ? { pace: { oid: working.paceInfo.oid, protocol: proto, parameterId: working.paceInfo.parameterId! } }
        : {}),
      cipher: this.secure.sm.cipher,
      attempts,
      tried,
      ...(cardAccess ? { cardAccess, securityInfos: infos } : {}),
    };
    return this.access;
  }

  private async readCardAccess(): Promise<{ cardAccess?: Uint8Array; infos?: SecurityInfos }> {
    const r = await this.plain.send(
      { cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Uint8Array.of(0x01, 0x1c) },
      SELECT_CARD_ACCESS,
    );
    const plainSession: FileSession = {
      channel: this.plain,
      stats: this.stats,
      capabilities: this.capabilities,
      lost: false,
      reestablish: async () => {
        await this.transport.reconnect?.({ signal: this.options.signal, timeoutMs: this.options.timeoutMs });
      },
    };
    // 0xDF: EF.CardAccess fits one short READ, and no chip refuses that size (some refuse Le = 00).
    const options = { maxFileSize: 16 * 1024, maxResumes: 1, maxBlockSize: 0xdf };
    let bytes: Uint8Array;
    if (r.sw === 0x9000)
      bytes = (await readFile(plainSession, FILES.CardAccess, { ...options, preselected: true })).bytes;
    else {
      // Some chips refuse SELECT by FID outside an application; ICAO gives EF.CardAccess the SFI 1C as well.
      try {
        bytes = (await readFile(plainSession, FILES.CardAccess, { ...options, useSfi: true })).bytes;
      } catch (e) {
        // Refused both ways: no CardAccess, a BAC-only chip. Link trouble is not an answer.
        if (e instanceof EmrtdError && !e.retriable && e.code !== 'cancelled' && e.code !== 'timeout') return {};
        throw e;
      }
    }
    if (plainSession.readSizes?.pastEndRefused) this.pastEndRefused = true;
    return { cardAccess: bytes, infos: parseCardAccess(bytes) };
  }

  private async runPace(candidate: CandidateKey, paceInfo: PaceInfoLike, ambiguous: boolean) {
    const result = await performPace(this.plain, pacePasswordOf(candidate.key), paceInfo, {
      ambiguous,
      ...(this.options.sendParameterId ? { sendParameterId: this.options.sendParameterId } : {}),
    });
    this.secure = new SecureChannel(this.plain, result.sm);
    const step = 'SELECT eMRTD application';
    expectSw(
      step,
      await this.secure.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: this.options.aid ?? EMRTD_AID }, step),
    );
  }

  private async runBac(candidate: CandidateKey) {
    const step = 'SELECT eMRTD application';
    expectSw(
      step,
      await this.plain.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: this.options.aid ?? EMRTD_AID }, step),
    );
    const result = await performBac(this.plain, bacKeysOf(candidate.key));
    this.secure = new SecureChannel(this.plain, result.sm);
  }
}

/**
 * Opens an authenticated session. `keys` may be one key or an ordered list of candidates (see candidateKeys); at
 * most `maxAttempts` key-testing authentications are made. A wrong key ends in AccessDenied naming the methods.
 */
export async function openSession(
  transport: Transport,
  keys: AccessKey | CandidateKey | (AccessKey | CandidateKey)[],
  options: SessionOptions = {},
): Promise<CardSession> {
  const retries = transport.reconnect ? (options.openRetries ?? 2) : 0;
  for (let attempt = 0; ; attempt++) {
    const session = new CardSession(transport, options);
    try {
      await session.open(keys);
      session.resumes += attempt; // restarts of access control count as resumes in the read report
      return session;
    } catch (e) {
      // Only link failures are retried: a refused key must never be tried again behind the caller's back.
      if (!(e instanceof EmrtdError) || !e.retriable || e.code === 'cancelled' || attempt >= retries) throw e;
      await transport.reconnect?.({ signal: options.signal, timeoutMs: options.timeoutMs });
    }
  }
}

export { selectFile };
