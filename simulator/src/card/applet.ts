import { EventEmitter } from 'node:events';
import { EmrtdError } from '@cccd/emrtd';
import { digest, parsePaceOid, readTlvs, type Tlv, utf8 } from '@cccd/emrtd/codec';
import { activeAuthenticate } from './active-auth.js';
import { type CommandApdu, parseCommandApdu, response, SW } from './apdu.js';
import { bacKeys, bacMutualAuthenticate } from './bac.js';
import { chipAuthenticate, chipAuthenticationOid } from './chip-auth.js';
import type { ChipBehaviour, ChipSettingsInput } from './chip-behaviour.js';
import { chipBehaviour } from './chip-options.js';
import { applyFileFaults, type Fault, parseFault } from './faults.js';
import { FileSystem } from './file-system.js';
import type { CardImage, PaceConfig } from './image.js';
import { type CryptoWork, cryptoMs, emptyStats, exchangeMs, type LinkOptions, type LinkStats } from './link.js';
import { decodeOidContent } from './oid-codec.js';
import { PACE_PASSWORD, PaceChipSession, paceConfigSupported } from './pace.js';
import { isSecureMessagingCla, type SecureMessaging } from './secure-messaging.js';

export interface CardOptions {
  /**
   * Extended length support (ISO 7816-4 §5.1): false (default) = short APDUs only, an extended APDU gets 6700;
   * true = Lc/Le up to 65535/65536; a number N = extended APDUs with Lc and Ne up to N.
   */
  extendedLength?: boolean | number;
  link?: LinkOptions;
  /** Fault injections, as objects or `name=value` strings (see FAULTS). */
  faults?: ReadonlyArray<Fault | string>;
  /**
   * Failed BAC/PACE attempts after which the chip answers 6983 (authentication method blocked) to every further
   * attempt, across power cycles. Off by default: ICAO 9303 mandates no retry counter for BAC or PACE with MRZ/CAN,
   * and eMRTDs are believed not to block (some slow down); CAN/MRZ are not secrets worth a lockout. Opt in to test
   * a reader's attempt cap.
   */
  maxWrongAttempts?: number;
  /** Random source (nonces, chip keys, UID, AA filler). Default: crypto.getRandomValues. Seed it to replay vectors. */
  random?: (n: number) => Uint8Array;
  /** A new random UID (08 xx xx xx, ISO 14443-3 random ID) on each activation; default true, as on eMRTDs. */
  uidRandom?: boolean;
  /** Historical bytes of the ATR / ATS; default advertises chaining and, when enabled, extended length. */
  historicalBytes?: Uint8Array;
  /** Upper bound for how long a muted card keeps a transmit pending (ms, default 60 000). */
  muteCapMs?: number;
  /**
   * Chip behaviour options (see CHIP_OPTIONS), as an object or `name=value` strings; they override the card image's
   * own `chip` settings. Options that change files (ca=not-advertised, aa=absent) must match the image: pass them to
   * personalise().
   */
  chip?: ChipSettingsInput;
}

export type ExchangeResult =
  | { kind: 'response'; bytes: Uint8Array }
  /** The tag left the field (a tag-loss fault or remove()); no answer. */
  | { kind: 'removed' }
  /** The card stayed silent (mute-after fault) until the cap, power-off, reset or removal. */
  | { kind: 'mute' };

interface CardEvents {
  removed: [reason: string];
  inserted: [];
}

/** What a command handler produces before secure messaging is applied. */
interface Outcome {
  sw: number;
  data?: Uint8Array;
  /** Runs after the (possibly protected) response is built: starts a new SM session. */
  after?: () => void;
  /** Send in clear and end the session (SM errors). */
  abortSecureMessaging?: boolean;
  /** The tag leaves the field instead of answering. */
  removed?: boolean;
  work?: CryptoWork;
}

const defaultRandom = (n: number) => {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
};

/**
 * A software CCCD chip (ICAO 9303 eMRTD applet): answers every APDU with an ISO/IEC 7816-4 response and never
 * throws. Session state (selection, SM keys, SSC, challenge, PACE/CA progress) dies with power-off, reset or
 * removal; the wrong-attempt counter and fault counters survive them, as EEPROM state would.
 */
export class SimulatedCard extends EventEmitter<CardEvents> {
  readonly image: CardImage;
  readonly stats: LinkStats = emptyStats();
  private readonly options: CardOptions;
  private readonly random: (n: number) => Uint8Array;
  private readonly faults: Fault[];
  private readonly fs: FileSystem;
  private readonly maxLc: number;
  private readonly maxNe: number;
  /** The chip-behaviour matrix this card follows (defaults = the CCCD model). */
  readonly behaviour: Readonly<ChipBehaviour>;
  private present = true;
  private removalCount = 0;
  private powered = true;
  private uidBytes: Uint8Array;
  private sm: SecureMessaging | undefined;
  private challenge: Uint8Array | undefined;
  private pace: PaceChipSession | undefined;
  private caPending = false;
  private muted = false;
  private wrongAttempts = 0;
  private lifetimeApdus = 0;
  private lifetimeResponses = 0;
  private lifetimeSmResponses = 0;
  private readonly insCounts = new Map<number, number>();
  private readonly fired = new Set<Fault>();
  private readonly muteWaiters = new Set<() => void>();
  /** Bugs caught by the last-resort handler (answered 6F00); tests assert it stays 0. */
  internalErrors = 0;

  constructor(image: CardImage, options: CardOptions = {}) {
    super();
    this.options = options;
    this.random = options.random ?? defaultRandom;
    this.faults = (options.faults ?? []).map((f) => (typeof f === 'string' ? parseFault(f) : f));
    this.behaviour = chipBehaviour(image.chip, options.chip);
    checkFilesMatch(image, this.behaviour);
    const files = applyFileFaults(image.files, this.faults, this.random);
    const masterFiles = applyFileFaults(image.masterFiles ?? new Map(), this.faults, this.random);
    this.image = { ...image, files, masterFiles };
    this.fs = new FileSystem(files, masterFiles, image.protectedFids, this.behaviour);
    // A chip buffer above 256 bytes implies extended length; the link then carries up to 65536, so the reader has to
    // discover the chip's cap from its answers, as through a real PC/SC reader.
    const capped = (this.behaviour.neCap?.max ?? 0) > 256;
    const ext = options.extendedLength ?? capped;
    this.maxLc = ext === false ? 255 : ext === true ? 65535 : Math.max(255, Math.min(ext, 65535));
    this.maxNe = ext === false ? 256 : ext === true ? 65536 : Math.max(256, Math.min(ext, 65536));
    this.uidBytes = this.newUid();
  }

  // ------------------------------------------------------------------ activation

  get isPresent(): boolean {
    return this.present;
  }

  /** How many times the card has left the field: a link compares it to notice tag loss without a listener. */
  get removals(): number {
    return this.removalCount;
  }

  get isPowered(): boolean {
    return this.present && this.powered;
  }

  get extendedLength(): boolean {
    return this.maxNe > 256;
  }

  /**
   * Largest command data field (Lc) and response data field (Ne) the link carries (what InProcessTransport
   * advertises). Without a chip ne-cap this is also the chip's limit; a ne-cap stays hidden from the link.
   */
  get limits(): { maxLc: number; maxNe: number } {
    return { maxLc: this.maxLc, maxNe: this.maxNe };
  }

  /** How long a muted card keeps a transmit pending before giving up (ms). */
  get muteCapMs(): number {
    return this.options.muteCapMs ?? 60_000;
  }

  /** Whether a secure messaging session is active (for tests and tools). */
  get secureMessagingActive(): boolean {
    return this.sm !== undefined;
  }

  /** The active secure messaging session's cipher, keys and SSC: for tests replaying worked examples. */
  debugSession(): { cipher: string; ksEnc: Uint8Array; ksMac: Uint8Array; ssc: Uint8Array } | undefined {
    return this.sm ? { cipher: this.sm.cipher, ...this.sm.keys, ssc: this.sm.ssc } : undefined;
  }

  /**
   * ATS historical bytes: category 80 (compact-TLV), card capabilities 73 = selection by full DF name, FID and
   * SFI (94); data coding 01; command chaining (80) and, when enabled, extended Lc/Le (40) (ISO 7816-4 §8.1.1.2.7).
   */
  historicalBytes(): Uint8Array {
    const selection = this.behaviour.sfi.kind === 'supported' ? 0x94 : 0x90;
    return (
      this.options.historicalBytes ?? Uint8Array.of(0x80, 0x73, selection, 0x01, this.extendedLength ? 0xc0 : 0x80)
    ).slice();
  }

  /** PC/SC ATR of a contactless card (PC/SC part 3 §3.1.3.2.3): 3B 8n 80 01 ‖ historical bytes ‖ TCK. */
  atr(): Uint8Array {
    const hist = this.historicalBytes().subarray(0, 15);
    const body = Uint8Array.of(0x3b, 0x80 | hist.length, 0x80, 0x01, ...hist);
    let tck = 0;
    for (let i = 1; i < body.length; i++) tck ^= body[i]!;
    return Uint8Array.of(...body, tck);
  }

  /** UID of the current activation (what a reader answers to FF CA 00 00 00). */
  uid(): Uint8Array {
    return this.uidBytes.slice();
  }

  private newUid(): Uint8Array {
    const r = this.random(3);
    return Uint8Array.of(0x08, r[0] ?? 0, r[1] ?? 0, r[2] ?? 0);
  }

  /** Field on / card (re-)presented: a fresh activation with no session. Brings a removed card back. */
  powerOn(): void {
    const wasGone = !this.present;
    this.present = true;
    this.powered = true;
    this.dropSession();
    if (this.options.uidRandom ?? true) this.uidBytes = this.newUid();
    if (wasGone) this.emit('inserted');
  }

  powerOff(): void {
    this.powered = false;
    this.dropSession();
  }

  /** Warm reset: all session state goes, the card stays in the field. */
  reset(): void {
    this.dropSession();
  }

  /** The tag leaves the field (tag loss or a test pulling the card). */
  remove(reason = 'removed'): void {
    if (!this.present) return;
    this.present = false;
    this.powered = false;
    this.removalCount++;
    this.dropSession();
    this.emit('removed', reason);
  }

  /** Same as powerOn(): the card is presented again as a fresh card. */
  insert(): void {
    this.powerOn();
  }

  /** SM abort (9303-11 §9.8.7): keys and authentication progress go; the selected application stays. */
  private endSecureMessaging(): void {
    this.sm = undefined;
    this.challenge = undefined;
    this.pace = undefined;
    this.caPending = false;
  }

  private dropSession(): void {
    this.fs.reset();
    this.endSecureMessaging();
    this.muted = false;
    for (const wake of this.muteWaiters) wake();
    this.muteWaiters.clear();
  }

  // ------------------------------------------------------------------ exchanges

  /** Sends one APDU; resolves with data ‖ SW, or with an empty array when the card does not answer. Never rejects. */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const r = await this.exchange(apdu);
    return r.kind === 'response' ? r.bytes : new Uint8Array(0);
  }

  /** Like transmit(), but says why there was no answer. Latency faults delay it; a mute card keeps it pending. */
  async exchange(apdu: Uint8Array): Promise<ExchangeResult> {
    const result = this.exchangeSync(apdu);
    const latency = this.latencyMs();
    if (latency > 0) {
      this.stats.modelledMs += latency;
      await new Promise((r) => setTimeout(r, latency));
    }
    if (result.kind !== 'mute') return result;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.muteWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.muteCapMs);
      timer.unref?.();
      this.muteWaiters.add(done);
    });
    return this.present ? result : { kind: 'removed' };
  }

  /** Synchronous exchange without latency; an empty array means no answer (tag lost or mute). */
  process(apdu: Uint8Array): Uint8Array {
    const r = this.exchangeSync(apdu);
    return r.kind === 'response' ? r.bytes : new Uint8Array(0);
  }

  private latencyMs(): number {
    let ms = 0;
    for (const f of this.faults) if (f.name === 'latency-ms') ms += f.ms;
    return ms;
  }

  private exchangeSync(apdu: Uint8Array): ExchangeResult {
    if (!this.present) return { kind: 'removed' };
    if (!this.powered) this.powerOn();
    if (this.muted) return { kind: 'mute' };
    this.lifetimeApdus++;
    for (const f of this.faults) {
      if (this.fired.has(f)) continue;
      if (f.name === 'tag-loss-after-apdus' && this.lifetimeApdus > f.apdus) {
        this.fired.add(f);
        this.remove('tag-loss-after-apdus');
        return { kind: 'removed' };
      }
      if (f.name === 'mute-after' && this.lifetimeApdus > f.apdus) {
        this.fired.add(f);
        this.muted = true;
        return { kind: 'mute' };
      }
    }
    let work: CryptoWork | undefined;
    let bytes: Uint8Array;
    try {
      const r = this.handle(apdu);
      if (r === 'removed') return { kind: 'removed' };
      bytes = r.bytes;
      work = r.work;
    } catch {
      this.internalErrors++;
      bytes = response(SW.NO_PRECISE_DIAGNOSIS);
    }
    this.lifetimeResponses++;
    for (const f of this.faults) {
      if (f.name === 'truncate-response' && f.nth === this.lifetimeResponses)
        bytes = bytes.slice(0, Math.max(1, Math.floor(bytes.length / 2)));
    }
    this.stats.exchanges++;
    this.stats.bytesIn += apdu.length;
    this.stats.bytesOut += bytes.length;
    const chipMs = (work ? cryptoMs(work) * this.behaviour.cryptoTime : 0) + this.behaviour.exchangeMs;
    this.stats.modelledMs += exchangeMs(this.options.link ?? {}, apdu.length, bytes.length, chipMs);
    return { kind: 'response', bytes };
  }

  // ------------------------------------------------------------------ dispatch and secure messaging

  private handle(raw: Uint8Array): { bytes: Uint8Array; work?: CryptoWork } | 'removed' {
    const parsed = parseCommandApdu(raw);
    if (!parsed.ok) return { bytes: response(parsed.sw) };
    const outer = parsed.apdu;
    // With a chip buffer (ne-cap) the command's own Ne rules decide, so READ BINARY can answer as the chip would.
    const neRefused = !this.behaviour.neCap && !this.neAcceptable(outer.ne);
    if (outer.extended && (!this.extendedLength || outer.data.length > this.maxLc || neRefused))
      return { bytes: response(SW.WRONG_LENGTH) };
    if (outer.cla === 0xff || (outer.cla & 0xe0) !== 0) return { bytes: response(SW.CLA_NOT_SUPPORTED) };
    if (outer.cla & 0x03) return { bytes: response(SW.LOGICAL_CHANNEL_NOT_SUPPORTED) };

    if (!isSecureMessagingCla(outer.cla)) {
      // TR-03110-3 §F: a plain APDU ends secure messaging; the chip then refuses it.
      if (this.sm) {
        this.endSecureMessaging();
        return { bytes: response(SW.SECURITY_STATUS_NOT_SATISFIED) };
      }
      const out = this.dispatch(outer, false);
      if (out.removed) return 'removed';
      if (out.abortSecureMessaging) this.endSecureMessaging();
      if (out.data && !this.fitsBuffer(out.data.length)) return { bytes: response(SW.WRONG_LENGTH), work: out.work };
      out.after?.();
      return { bytes: response(out.sw, out.data), work: out.work };
    }

    const sm = this.sm;
    if (!sm) return { bytes: response(SW.SM_DATA_INCORRECT) };
    const unwrapped = sm.unwrapCommand(outer);
    if (!unwrapped.ok) {
      this.endSecureMessaging();
      return { bytes: response(unwrapped.sw) };
    }
    const out = this.dispatch(unwrapped.apdu, true);
    if (out.removed) return 'removed';
    if (out.abortSecureMessaging) {
      this.endSecureMessaging();
      return { bytes: response(out.sw) };
    }
    const odd = (outer.ins & 1) === 1;
    let data = out.data ?? new Uint8Array(0);
    let sw = out.sw;
    const room = outer.ne || (outer.extended ? this.maxNe : 256);
    const length = sm.protectedLength(data.length, odd);
    if (length > room || !this.fitsBuffer(length)) {
      data = new Uint8Array(0);
      sw = SW.WRONG_LENGTH;
    }
    if (this.behaviour.smErrors === 'plain' && isError(sw)) {
      // Some chips answer every error in clear and drop the session (real-chip note in docs/simulator.md §7).
      this.endSecureMessaging();
      return { bytes: response(sw), work: out.work };
    }
    this.lifetimeSmResponses++;
    const nth = this.lifetimeSmResponses;
    if (this.faults.some((f) => f.name === 'wrong-ssc' && f.nth === nth)) sm.skipSsc();
    const corruptMac = this.faults.some((f) => f.name === 'corrupt-mac' && f.nth === nth);
    const bytes = sm.wrapResponse(sw, data, odd, { corruptMac });
    if (sw === SW.OK || sw === SW.END_OF_FILE) out.after?.();
    return { bytes, work: out.work };
  }

  /** Ne = 65536 (Le = 0000) means "as much as you can"; an explicit Ne above the chip's buffer is refused. */
  private neAcceptable(ne: number): boolean {
    return ne <= this.maxNe || ne === 65536;
  }

  /** Whether a response data field of this many bytes (protected, under SM) fits the chip's buffer (ne-cap). */
  private fitsBuffer(length: number): boolean {
    const cap = this.behaviour.neCap;
    return !cap || length <= cap.max;
  }

  /** Largest Ne whose answer fits the buffer: under SM the protected answer (DO'87' + DO'99' + DO'8E') must fit. */
  private largestFittingNe(max: number, odd: boolean): number {
    const sm = this.sm;
    if (!sm) return max;
    let n = max;
    while (n > 0 && sm.protectedLength(n, odd) > max) n--;
    return n;
  }

  /** Ne a READ BINARY is served with, or the refusal (ne-cap, short-le00); see CHIP_OPTIONS for the rules. */
  private readLength(apdu: CommandApdu): number | Outcome {
    if (this.behaviour.shortLe00 === 'refused' && !apdu.extended && apdu.ne === 256) return { sw: SW.WRONG_LENGTH };
    const cap = this.behaviour.neCap;
    if (!cap) return this.neAcceptable(apdu.ne) ? Math.min(apdu.ne, this.maxNe) : { sw: SW.WRONG_LENGTH };
    if (apdu.ne === 0) return 0;
    const fits = this.largestFittingNe(cap.max, apdu.ins === 0xb1);
    // Ne maximum (extended Le 0000) asks for all available bytes (ISO 7816-4 §5.1): the chip sends what fits.
    if (apdu.ne === 65536 || apdu.ne <= fits) return Math.min(apdu.ne, fits);
    switch (cap.overflow) {
      case 'cut':
        return fits;
      case '6a86':
        return { sw: SW.INCORRECT_P1P2 };
      case '6cxx':
        // 6Cxx can only name a short length: an extended request gets 6700.
        return apdu.extended || fits > 255 ? { sw: SW.WRONG_LENGTH } : { sw: SW.WRONG_LE | fits };
      default:
        return { sw: SW.WRONG_LENGTH };
    }
  }

  /** A chip option's refusal; 6987/6988 under SM end the session like any SM error. */
  private refusal(sw: number, secure: boolean): Outcome {
    return { sw, abortSecureMessaging: secure && (sw === SW.SM_DATA_MISSING || sw === SW.SM_DATA_INCORRECT) };
  }

  private injectedSw(ins: number): number | undefined {
    const n = (this.insCounts.get(ins) ?? 0) + 1;
    this.insCounts.set(ins, n);
    for (const f of this.faults) {
      if (f.name !== 'sw' || f.ins !== ins) continue;
      if (f.nth === undefined || f.nth === n) return f.sw;
    }
    return undefined;
  }

  private dispatch(apdu: CommandApdu, secure: boolean): Outcome {
    const injected = this.injectedSw(apdu.ins);
    if (injected !== undefined) {
      const smError = injected === SW.SM_DATA_MISSING || injected === SW.SM_DATA_INCORRECT;
      return { sw: injected, abortSecureMessaging: smError && secure };
    }
    const chained = (apdu.cla & 0x10) !== 0;
    if (chained && apdu.ins !== 0x86) return { sw: SW.CHAINING_NOT_SUPPORTED };
    switch (apdu.ins) {
      case 0xa4:
        return this.fs.select(apdu);
      case 0xb0:
      case 0xb1:
        return this.readBinary(apdu, secure);
      case 0x84:
        return this.getChallenge(apdu);
      case 0x82:
        return this.mutualAuthenticate(apdu);
      case 0x22:
        return this.manageSecurityEnvironment(apdu, secure);
      case 0x86:
        return this.generalAuthenticate(apdu, secure, chained);
      case 0x88:
        return this.internalAuthenticate(apdu, secure);
      default:
        return { sw: SW.INS_NOT_SUPPORTED };
    }
  }

  private readBinary(apdu: CommandApdu, secure: boolean): Outcome {
    const sfi = this.behaviour.sfi;
    if (sfi.kind === 'refused' && usesShortEfId(apdu)) return this.refusal(sfi.sw, secure);
    const ne = this.readLength(apdu);
    if (typeof ne !== 'number') return ne;
    const plan = this.fs.planRead({ ...apdu, ne }, secure);
    if (!('fid' in plan)) return plan;
    const fileBytes = plan.odd ? plan.data.length - 2 : plan.data.length;
    for (const f of this.faults) {
      if (f.name !== 'tag-loss-at-offset' || this.fired.has(f) || f.fid !== plan.fid) continue;
      if (plan.offset + fileBytes > f.offset) {
        this.fired.add(f);
        this.remove('tag-loss-at-offset');
        return { sw: 0, removed: true };
      }
    }
    return { sw: plan.sw, data: plan.data };
  }

  private getChallenge(apdu: CommandApdu): Outcome {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    if (apdu.data.length || apdu.ne !== 8) return { sw: SW.WRONG_LENGTH };
    this.challenge = this.random(8).slice(0, 8);
    return { sw: SW.OK, data: this.challenge.slice() };
  }

  private get blocked(): boolean {
    const max = this.options.maxWrongAttempts;
    return max !== undefined && this.wrongAttempts >= max;
  }

  private mutualAuthenticate(apdu: CommandApdu): Outcome {
    if (this.image.bac === false) return { sw: SW.INS_NOT_SUPPORTED };
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    if (this.blocked) return { sw: SW.AUTH_METHOD_BLOCKED };
    const rndIc = this.challenge;
    this.challenge = undefined;
    if (!rndIc) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (apdu.ne !== 0 && apdu.ne < 40) return { sw: SW.WRONG_LENGTH };
    const r = bacMutualAuthenticate(bacKeys(this.image.mrzInformation), rndIc, apdu.data, this.random);
    if (!r.ok) {
      if (r.sw === SW.VERIFICATION_FAILED) this.wrongAttempts++;
      return { sw: r.sw };
    }
    this.wrongAttempts = 0;
    return { sw: SW.OK, data: r.data, after: () => this.startSession(r.sm), work: { kind: 'symmetric' } };
  }

  private startSession(sm: SecureMessaging): void {
    this.sm = sm;
    this.pace = undefined;
    this.caPending = false;
  }

  private manageSecurityEnvironment(apdu: CommandApdu, secure: boolean): Outcome {
    let dos: Tlv[];
    try {
      dos = readTlvs(apdu.data, 'MSE');
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    const get = (tag: number) => dos.find((d) => d.tag === tag)?.value;
    const p1p2 = (apdu.p1 << 8) | apdu.p2;
    switch (p1p2) {
      case 0xc1a4:
        return this.msePace(get(0x80), get(0x83), get(0x84));
      case 0x41a4:
        return this.mseChipAuthentication(secure, get(0x80), get(0x84));
      case 0x41a6:
        return this.mseKeyAgreementTemplate(secure, get(0x91), get(0x84));
      default:
        return { sw: SW.INCORRECT_P1P2 };
    }
  }

  private msePace(oidBytes?: Uint8Array, passwordRef?: Uint8Array, paramId?: Uint8Array): Outcome {
    this.pace = undefined;
    if (!oidBytes || !passwordRef || passwordRef.length !== 1) return { sw: SW.WRONG_DATA };
    const oid = decodeOidContent(oidBytes);
    const protocol = oid === undefined ? undefined : parsePaceOid(oid);
    if (!protocol || protocol.mapping === 'CAM') return { sw: SW.WRONG_DATA };
    if (paramId && paramId.length !== 1) return { sw: SW.WRONG_DATA };
    const config = this.image.pace.find(
      (c: PaceConfig) =>
        c.keyAgreement === protocol.keyAgreement &&
        c.mapping === protocol.mapping &&
        c.cipher === protocol.cipher &&
        (paramId === undefined || c.parameterId === paramId[0]),
    );
    if (!config || !paceConfigSupported(config)) return { sw: SW.WRONG_DATA };
    let password: Uint8Array;
    const paceMrz = this.behaviour.paceMrz;
    if (passwordRef[0] === PACE_PASSWORD.MRZ && paceMrz.kind === 'refused') return { sw: paceMrz.sw };
    if (passwordRef[0] === PACE_PASSWORD.MRZ) password = digest('SHA-1', utf8(this.image.mrzInformation));
    else if (passwordRef[0] === PACE_PASSWORD.CAN) password = utf8(this.image.can);
    else if (passwordRef[0] === PACE_PASSWORD.PIN || passwordRef[0] === PACE_PASSWORD.PUK)
      return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    else return { sw: SW.WRONG_DATA };
    if (this.blocked) return { sw: SW.AUTH_METHOD_BLOCKED };
    this.pace = new PaceChipSession(config, password, this.random);
    this.caPending = false;
    return { sw: SW.OK };
  }

  private mseChipAuthentication(secure: boolean, oidBytes?: Uint8Array, keyId?: Uint8Array): Outcome {
    this.caPending = false;
    const key = this.image.chipAuthentication;
    if (!secure) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    const ca = this.behaviour.ca;
    if (ca.kind === 'refuse-mse') return this.refusal(ca.sw, secure);
    if (!key) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    if (!oidBytes || decodeOidContent(oidBytes) !== chipAuthenticationOid(key)) return { sw: SW.WRONG_DATA };
    if (keyId && !keyMatches(keyId, key.keyId)) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    this.caPending = true;
    this.pace = undefined;
    return { sw: SW.OK };
  }

  /** Chip Authentication with MSE:Set KAT (ICAO 9303-11 §6.2.3.1): 3DES keys only. */
  private mseKeyAgreementTemplate(secure: boolean, ephemeral?: Uint8Array, keyId?: Uint8Array): Outcome {
    const key = this.image.chipAuthentication;
    if (!secure) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    // KAT is MSE and key agreement in one: both refusals answer it.
    const ca = this.behaviour.ca;
    if (ca.kind === 'refuse-mse' || ca.kind === 'refuse-ga') return this.refusal(ca.sw, secure);
    if (!key) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    if (key.cipher !== '3DES' || !ephemeral) return { sw: SW.WRONG_DATA };
    if (keyId && !keyMatches(keyId, key.keyId)) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    const r = chipAuthenticate(key, ephemeral, { faultyResponseKeys: ca.kind === 'fails-new-keys' });
    if (!r.ok) return { sw: r.sw };
    return { sw: SW.OK, after: () => this.startSession(r.sm), work: this.keyAgreementWork(key.parameterId, 1) };
  }

  private keyAgreementWork(parameterId: number, operations: number): CryptoWork {
    const bits = domainBits(parameterId);
    return parameterId <= 2 ? { kind: 'dh', bits, operations } : { kind: 'ec', bits, operations };
  }

  private generalAuthenticate(apdu: CommandApdu, secure: boolean, chained: boolean): Outcome {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    let content: Uint8Array;
    try {
      const dos = readTlvs(apdu.data, 'GENERAL AUTHENTICATE');
      if (dos.length !== 1 || dos[0]!.tag !== 0x7c) return { sw: SW.WRONG_DATA };
      content = dos[0]!.value;
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    if (this.pace && !this.pace.finished) return this.paceStep(this.pace, content, chained);
    if (this.caPending) {
      this.caPending = false;
      const key = this.image.chipAuthentication;
      if (!key || !secure) return { sw: SW.CONDITIONS_NOT_SATISFIED };
      const ca = this.behaviour.ca;
      if (ca.kind === 'refuse-ga') return this.refusal(ca.sw, secure);
      if (chained) return { sw: SW.CHAINING_NOT_SUPPORTED };
      let ephemeral: Uint8Array | undefined;
      try {
        const inner = readTlvs(content, 'GENERAL AUTHENTICATE');
        ephemeral = inner.length === 1 && inner[0]!.tag === 0x80 ? inner[0]!.value : undefined;
      } catch {
        ephemeral = undefined;
      }
      if (!ephemeral) return { sw: SW.WRONG_DATA };
      const r = chipAuthenticate(key, ephemeral, { faultyResponseKeys: ca.kind === 'fails-new-keys' });
      if (!r.ok) return { sw: r.sw };
      return {
        sw: SW.OK,
        data: Uint8Array.of(0x7c, 0x00),
        after: () => this.startSession(r.sm),
        work: this.keyAgreementWork(key.parameterId, 1),
      };
    }
    return { sw: SW.CONDITIONS_NOT_SATISFIED };
  }

  private paceStep(session: PaceChipSession, content: Uint8Array, chained: boolean): Outcome {
    // Steps 1-3 are chained (CLA 10), the mutual authentication ends the chain (CLA 00) (TR-03110-3 B.1).
    if (chained === session.expectsLastCommand) {
      this.pace = undefined;
      return { sw: SW.LAST_COMMAND_EXPECTED };
    }
    const work = this.paceWork(session);
    const r = session.step(content);
    if (!r.ok) {
      this.pace = undefined;
      if (r.sw === SW.VERIFICATION_FAILED) this.wrongAttempts++;
      return { sw: r.sw, work: { kind: 'symmetric' } };
    }
    const established = r.established;
    if (!established) return { sw: SW.OK, data: r.data, work };
    this.wrongAttempts = 0;
    return { sw: SW.OK, data: r.data, after: () => this.startSession(established), work: { kind: 'symmetric' } };
  }

  /** Modelled work of the step just taken: GM mapping = 3 group operations, key agreement = 2, nonce = symmetric. */
  private paceWork(session: PaceChipSession): CryptoWork {
    const stage = session.currentStage;
    const ops = stage === 'map' ? 3 : stage === 'agree' ? 2 : 0;
    if (!ops) return { kind: 'symmetric' };
    return this.keyAgreementWork(session.parameterId, ops);
  }

  private internalAuthenticate(apdu: CommandApdu, secure: boolean): Outcome {
    const key = this.image.activeAuthentication;
    if (!key) return { sw: SW.INS_NOT_SUPPORTED };
    if (this.behaviour.aa.kind === 'refuse') return this.refusal(this.behaviour.aa.sw, secure);
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.INCORRECT_P1P2 };
    if (!secure) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    if (apdu.data.length !== 8) return { sw: SW.WRONG_LENGTH };
    const signature = activeAuthenticate(key, apdu.data, this.random);
    if (!signature) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (apdu.ne !== 0 && apdu.ne < signature.length) return { sw: SW.WRONG_LENGTH };
    const work: CryptoWork =
      key.type === 'RSA'
        ? { kind: 'rsa', bits: signature.length * 8 }
        : { kind: 'ec', bits: signature.length * 4, operations: 1 };
    return { sw: SW.OK, data: signature, work };
  }
}

/** Error status words: everything but 9000 and the 61xx/62xx/63xx process-completed family. */
function isError(sw: number): boolean {
  const sw1 = sw >> 8;
  return sw !== SW.OK && sw1 !== 0x61 && sw1 !== 0x62 && sw1 !== 0x63;
}

/** READ BINARY naming its EF by short identifier: B0 with P1 b8 set, or B1 with P1-P2 = 0001…001F. */
function usesShortEfId(apdu: CommandApdu): boolean {
  if (apdu.ins === 0xb0) return (apdu.p1 & 0x80) !== 0;
  const p1p2 = (apdu.p1 << 8) | apdu.p2;
  return p1p2 > 0 && p1p2 <= 0x1f;
}

/** File-changing options are personalisation options: a card image without them cannot grow or lose files here. */
function checkFilesMatch(image: CardImage, behaviour: ChipBehaviour): void {
  const mismatch =
    behaviour.ca.kind === 'not-advertised' && image.chipAuthentication
      ? 'ca=not-advertised'
      : behaviour.aa.kind === 'absent' && image.activeAuthentication
        ? 'aa=absent'
        : undefined;
  if (mismatch)
    throw new EmrtdError(
      'invalid-argument',
      `chip option ${mismatch} changes the card's files: personalise the card with it (this image has the key)`,
      { step: 'chip-option' },
    );
}

function keyMatches(requested: Uint8Array, keyId: number | undefined): boolean {
  if (keyId === undefined) return false;
  return requested.reduce((acc, b) => acc * 256 + b, 0) === keyId;
}

function domainBits(parameterId: number): number {
  return DOMAIN_BITS[parameterId] ?? 256;
}

/** Group sizes of the §9.5.1 table, for the crypto-time model only. */
const DOMAIN_BITS: Record<number, number> = {
  0: 1024,
  1: 2048,
  2: 2048,
  8: 192,
  9: 192,
  10: 224,
  11: 224,
  12: 256,
  13: 256,
  14: 320,
  15: 384,
  16: 384,
  17: 512,
  18: 521,
};
