/**
 * A session on the chip: the channels, the key and method that worked (so a lost session can be re-established
 * without new user input: resume), and the chip's authentications run on it. Opening it is the first steps of a
 * read: EF.CardAccess (card-access.ts), then PACE or BAC (access-control.ts).
 */
import type { ActiveAuthenticationExchange, InternalAuthenticateOptions } from '../aa/active-auth.js';
import { internalAuthenticate } from '../aa/active-auth.js';
import { type ExchangeOptions, type ExchangeStats, newStats, PlainChannel } from '../apdu/channel.js';
import type { SmCipher } from '../asn1/oids.js';
import {
  type ChipAuthenticationCommand,
  type ChipAuthenticationOptions,
  type ChipAuthenticationRecord,
  isTransientError,
  performChipAuthentication,
} from '../ca/chip-auth.js';
import type { ChipAuthenticationParameters } from '../ca/parameters.js';
import { EmrtdError } from '../errors.js';
import type { SecurityInfos } from '../lds/card-access.js';
import { parseDg14 } from '../lds/dg14.js';
import type { PaceResult } from '../pace/pace.js';
import { type FileReadOptions, type FileReadReport, type FileSession, readFile } from '../reader/file-reader.js';
import type { FileRef } from '../reader/files.js';
import type { ReadSizes } from '../reader/read-size.js';
import type { SecureChannel } from '../sm/secure-channel.js';
import type { SecureMessaging } from '../sm/secure-messaging.js';
import type { Transport, TransportCapabilities } from '../transport.js';
import {
  type AccessControlOptions,
  type AccessKeys,
  type AccessResult,
  type AfterPace,
  authenticate,
  runBac,
  runPace,
  toCandidates,
  type WorkingAccess,
} from './access-control.js';
import { type SelectChipAuthenticationOptions, selectChipAuthentication } from './ca-selection.js';
import { readCardAccess } from './card-access.js';
import { camStillMatches, checkPaceCam, type PaceCamOutcome, readCardSecurity } from './pace-cam.js';

export type { AccessResult } from './access-control.js';
export { usablePaceInfos } from './access-control.js';

export interface SessionOptions extends ExchangeOptions, AccessControlOptions {
  /**
   * Times access control is restarted after tag loss or a silent card (default 2). The field is weakest during
   * the PACE/CA public-key arithmetic, so a drop there is common; each restart reconnects and starts over.
   */
  openRetries?: number;
}

export class CardSession implements FileSession {
  readonly stats: ExchangeStats = newStats();
  readonly capabilities: TransportCapabilities | undefined;
  readSizes?: ReadSizes;
  pastEndRefused?: boolean;
  private plain: PlainChannel;
  private secure!: SecureChannel;
  private working?: WorkingAccess;
  access!: AccessResult;
  /** Times the session was re-established after a loss. */
  resumes = 0;
  /** The last Chip Authentication attempt on this session, if any. */
  chipAuthentication?: ChipAuthenticationRecord;
  /** Set once CA succeeded: a resumed session must redo it before reading on. */
  private chipAuthenticated?: { params: ChipAuthenticationParameters; command: ChipAuthenticationCommand };
  /** What PACE-CAM showed when the session opened (EF.CardSecurity read and checked); undefined without CAM. */
  paceCam?: PaceCamOutcome;

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

  /** Reads EF.CardAccess, then runs access control with the candidates (see openSession). */
  async open(keys: AccessKeys): Promise<AccessResult> {
    const candidates = toCandidates(keys);
    if (candidates.length === 0) throw new EmrtdError('invalid-argument', 'no access key given');
    const card = await readCardAccess({
      channel: this.plain,
      stats: this.stats,
      capabilities: this.capabilities,
      reconnect: () => this.reconnect(),
    });
    if (card.pastEndRefused) this.pastEndRefused = true;
    const afterPace: AfterPace = (pace, channel) => this.checkPaceCam(pace, channel);
    const { channel, working, access } = await authenticate(this.plain, candidates, card, this.options, afterPace);
    this.secure = channel;
    this.working = working;
    this.access = access;
    return access;
  }

  /**
   * PACE-CAM: reads EF.CardSecurity in the master file under the new keys and checks CA_IC against its static key
   * (pace-cam.ts). Runs for every PACE attempt of open(); only the successful one's outcome stays.
   */
  private async checkPaceCam(pace: PaceResult, channel: SecureChannel | undefined): Promise<void> {
    // A PACE run again because the first session broke: the chip must fit the key it fitted a moment ago.
    if (!channel) return this.recheckPaceCam(pace);
    this.paceCam = undefined;
    if (!pace.chipAuthentication) return;
    const link = { channel, stats: this.stats, capabilities: this.capabilities, readSizes: this.readSizes };
    const file = await readCardSecurity(link, this.options.signal);
    if (link.readSizes) this.readSizes = link.readSizes;
    this.paceCam =
      'bytes' in file
        ? checkPaceCam(pace, file.bytes)
        : { report: { result: 'not-checked', notChecked: file.notChecked } };
  }

  /** A new PACE-CAM run on this card must fit the key the first one matched (tag loss, a restarted session). */
  private async recheckPaceCam(pace: PaceResult): Promise<void> {
    const key = this.paceCam?.key;
    if (key && !camStillMatches(pace, key))
      throw new EmrtdError('secure-messaging', 'PACE-CAM failed when resuming: the card may have been swapped', {
        step: 'PACE-CAM resume',
        retriable: false,
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
    await this.reconnect();
    const { candidate, protocol, paceInfo } = this.working;
    // A chip PACE-CAM authenticated must authenticate again with the same key: later data must come from it too.
    const recheck: AfterPace | undefined = this.paceCam?.key ? (pace) => this.recheckPaceCam(pace) : undefined;
    const again = () =>
      protocol === 'PACE' && paceInfo
        ? runPace(this.plain, { candidate, protocol, paceInfo }, false, this.options, recheck)
        : runBac(this.plain, candidate, this.options);
    try {
      this.secure = await again();
    } catch (e) {
      // A chip still holding the old session (a reader that did not reset it: PC/SC keeps the card powered) answers
      // the first plain command 6982/6987/6988 and ends that session (TR-03110-3 §F): the second try is clean.
      if (!(e instanceof EmrtdError) || ![0x6982, 0x6987, 0x6988].includes(e.sw ?? 0)) throw e;
      this.secure = await again();
    }
  }

  private async reconnect(): Promise<void> {
    await this.transport.reconnect?.({ signal: this.options.signal, timeoutMs: this.options.timeoutMs });
  }

  async readFile(file: FileRef, options: FileReadOptions = {}): Promise<{ bytes: Uint8Array; report: FileReadReport }> {
    return readFile(this, file, { signal: this.options.signal, ...options });
  }
}

/**
 * Opens an authenticated session. `keys` may be one key or an ordered list of candidates (see candidateKeys); at
 * most `maxAttempts` key-testing authentications are made. A wrong key ends in AccessDenied naming the methods.
 */
export async function openSession(
  transport: Transport,
  keys: AccessKeys,
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
