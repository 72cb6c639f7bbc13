/**
 * Chip Authentication, terminal side (ICAO 9303-11 §6.2, BSI TR-03110 CA version 1): static-ephemeral key
 * agreement with DG14's key, sent under the CURRENT secure messaging; then both sides derive KSenc/KSmac =
 * KDF(K, 1/2) for the cipher of the CA OID and restart secure messaging with SSC = 0. Only the chip holding the
 * private key can derive those keys, so the first protected response under them that verifies is the proof.
 * Commands: MSE:Set AT (80 OID, 84 keyId) + GENERAL AUTHENTICATE (7C{80 PK}) for AES — and for 3DES when the chip
 * refuses the older MSE:Set KAT (91 PK, 84 keyId), which 9303-11 names for 3DES.
 */
import type { ApduChannel } from '../apdu/channel.js';
import type { CommandApdu } from '../apdu/command.js';
import { type ElementaryFileId, selectFile } from '../apdu/select.js';
import { expectSw } from '../apdu/status.js';
import { oidContent } from '../asn1/oid.js';
import type { KeyAgreement, SmCipher } from '../asn1/oids.js';
import { bigToBytes, bytesToBig, concat } from '../codec/bytes.js';
import { readTlvs, tlv } from '../codec/tlv.js';
import { ecdhSharedSecret, ecPublicKey, encodeEcPoint, modPow, randomEcPrivateKey } from '../crypto/domain-params.js';
import { KDF_ENC, KDF_MAC, kdf } from '../crypto/kdf.js';
import { EmrtdError, type ErrorCode, MalformedData } from '../errors.js';
import { SecureChannel } from '../sm/secure-channel.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { type CaDhGroup, type CaGroup, type ChipAuthenticationParameters, checkDhValue } from './parameters.js';

export type ChipAuthenticationCommand = 'set-at' | 'set-kat';

/** DG14 (ICAO 9303-10 §4.6.1): the file the reader just read, selected again under the new keys as the proof. */
const DG14: ElementaryFileId = { name: 'DG14', fid: 0x010e };

export interface ChipAuthenticationOptions {
  /** Terminal ephemeral private key (tests replaying a transcript); random otherwise. */
  ephemeralPrivateKey?: bigint | Uint8Array;
  /** 'auto' (default): MSE:Set KAT for 3DES, falling back to Set AT + GA when refused; Set AT + GA for AES. */
  command?: 'auto' | ChipAuthenticationCommand;
  /**
   * File selected under the new keys to prove the chip derived them (default DG14, which the reader just read);
   * false leaves the proof to the caller's next command (then `success` means "keys switched").
   */
  confirmWith?: ElementaryFileId | false;
}

export interface ChipAuthenticationRecord {
  /** id-CA-* protocol OID that was run. */
  oid: string;
  keyAgreement: KeyAgreement;
  cipher: SmCipher;
  /** Key reference sent as 0x84, if any. */
  keyId?: number;
  /** True when DG14 had no ChipAuthenticationInfo and 3DES was inferred. */
  inferred: boolean;
  /** The command pattern that carried the ephemeral key (the last one tried). */
  command: ChipAuthenticationCommand;
  /** Curve or group name, e.g. 'brainpoolP256r1' or 'MODP-2048-224'. */
  group: string;
  ephemeralPublicKey: Uint8Array;
  chipPublicKey: Uint8Array;
  success: boolean;
  /** Why CA failed: step, error code and status word — never key material. */
  failure?: { step: string; code: ErrorCode; sw?: number };
  /**
   * The chip refused the protocol before any proof: an error status word to MSE:Set AT / Set KAT or to the
   * GENERAL AUTHENTICATE that carries the key. Says nothing about the chip's key (a warning, not a failure).
   */
  refused?: boolean;
  /** After a refusal: the chip answered under the current secure messaging, so the session is still usable. */
  sessionKept?: boolean;
}

export interface ChipAuthenticationResult {
  transcript: ChipAuthenticationRecord;
  /** Secure channel under the CA session keys (only on success). */
  channel?: SecureChannel;
}

/** Errors that say nothing about the chip's key: the caller resumes or gives up instead of recording a failure. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['cancelled', 'timeout', 'card-removed', 'transport']);
export const isTransientError = (e: unknown) => e instanceof EmrtdError && TRANSIENT.has(e.code);

interface EphemeralKey {
  publicKey: Uint8Array;
  sharedSecret: Uint8Array;
}

function randomBelow(limit: bigint): bigint {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(Math.ceil(limit.toString(2).length / 8) + 8));
  return (bytesToBig(bytes) % (limit - 1n)) + 1n;
}

function dhEphemeral(group: CaDhGroup, chipPublicKey: Uint8Array, injected?: bigint | Uint8Array): EphemeralKey {
  // Without q (PKCS #3 parameters) the exponent ranges over [1, p-2]; with q over [1, q-1].
  const limit = group.q ?? group.p - 1n;
  const x =
    injected === undefined ? randomBelow(limit) : typeof injected === 'bigint' ? injected : bytesToBig(injected);
  if (x <= 0n || x >= limit) throw new EmrtdError('invalid-argument', 'DH private key out of range');
  const y = checkDhValue(group, bytesToBig(chipPublicKey), 'DG14 chip authentication public key');
  return {
    publicKey: bigToBytes(modPow(group.g, x, group.p), group.byteLength),
    sharedSecret: bigToBytes(modPow(y, x, group.p), group.byteLength),
  };
}

/** Ephemeral key pair on the chip's domain parameters and the shared secret K (x-coordinate / DH value). */
export function ephemeralKeyAgreement(
  group: CaGroup,
  chipPublicKey: Uint8Array,
  privateKey?: bigint | Uint8Array,
): EphemeralKey {
  if (group.kind === 'DH') return dhEphemeral(group, chipPublicKey, privateKey);
  const sk = privateKey ?? randomEcPrivateKey(group.params);
  return {
    publicKey: encodeEcPoint(group.params, ecPublicKey(group.params, sk)),
    sharedSecret: ecdhSharedSecret(group.params, sk, chipPublicKey),
  };
}

/** Minimal big-endian key reference for tag 84 (as real chips and gmrtd encode it). */
function keyReference(keyId: number): Uint8Array {
  const out: number[] = [];
  for (let v = keyId; out.length === 0 || v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.from(out);
}

function keyIdDo(keyId: number | undefined): Uint8Array[] {
  return keyId === undefined ? [] : [tlv(0x84, keyReference(keyId))];
}

export function mseSetKat(ephemeralPublicKey: Uint8Array, keyId?: number): CommandApdu {
  return { cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa6, data: concat(tlv(0x91, ephemeralPublicKey), ...keyIdDo(keyId)) };
}

export function mseSetAtChipAuthentication(oid: string, keyId?: number): CommandApdu {
  return { cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa4, data: concat(tlv(0x80, oidContent(oid)), ...keyIdDo(keyId)) };
}

/** GENERAL AUTHENTICATE with the ephemeral key; Le '00' kept short (the answer is a bare 7C 00). */
export function generalAuthenticateChipAuthentication(ephemeralPublicKey: Uint8Array): CommandApdu {
  return {
    cla: 0x00,
    ins: 0x86,
    p1: 0x00,
    p2: 0x00,
    data: tlv(0x7c, tlv(0x80, ephemeralPublicKey)),
    ne: 256,
    extended: false,
  };
}

async function sendSetAt(channel: ApduChannel, params: ChipAuthenticationParameters, pk: Uint8Array): Promise<void> {
  const mse = 'CA MSE:Set AT';
  expectSw(mse, await channel.send(mseSetAtChipAuthentication(params.protocol.oid, params.keyId), mse), {
    auth: 'CA',
  });
  const ga = 'CA GENERAL AUTHENTICATE';
  const r = expectSw(ga, await channel.send(generalAuthenticateChipAuthentication(pk), ga), { auth: 'CA' });
  if (r.data.length > 0) {
    const dos = readTlvs(r.data, { step: ga });
    if (dos[0]?.tag !== 0x7c)
      throw new MalformedData({ step: ga }, 0, 'response is not dynamic authentication data (7C)');
  }
}

const firstCommand = (command: 'auto' | ChipAuthenticationCommand, cipher: SmCipher): ChipAuthenticationCommand =>
  command === 'auto' ? (cipher === '3DES' ? 'set-kat' : 'set-at') : command;

/** Sends the key agreement; returns the command pattern the chip accepted. */
async function sendKeyAgreement(
  channel: SecureChannel,
  params: ChipAuthenticationParameters,
  pk: Uint8Array,
  command: 'auto' | ChipAuthenticationCommand,
): Promise<ChipAuthenticationCommand> {
  if (firstCommand(command, params.protocol.cipher) === 'set-at') {
    await sendSetAt(channel, params, pk);
    return 'set-at';
  }
  const step = 'CA MSE:Set KAT';
  const r = await channel.send(mseSetKat(pk, params.keyId), step);
  if (r.sw === 0x9000) return 'set-kat';
  // A protected refusal leaves the old session intact: the chip may want the newer Set AT + GA pattern.
  if (command === 'set-kat' || channel.sm.broken) expectSw(step, r, { auth: 'CA' });
  await sendSetAt(channel, params, pk);
  return 'set-at';
}

function groupName(group: CaGroup): string {
  if (group.kind === 'ECDH') return group.params.name;
  return group.parameterId === undefined ? `DH-${group.byteLength * 8}` : `RFC5114-${group.parameterId}`;
}

/**
 * Runs Chip Authentication over `current` (the PACE/BAC secure channel). CA failures (a refusal, a malformed
 * answer, a response that does not verify under the new keys) are returned in the transcript with
 * `success: false`; the old channel must then be considered unusable. Transport failures and cancellation throw.
 */
export async function performChipAuthentication(
  current: SecureChannel,
  params: ChipAuthenticationParameters,
  options: ChipAuthenticationOptions = {},
): Promise<ChipAuthenticationResult> {
  const { protocol } = params;
  const agreement = ephemeralKeyAgreement(params.group, params.chipPublicKey, options.ephemeralPrivateKey);
  const transcript: ChipAuthenticationRecord = {
    oid: protocol.oid,
    keyAgreement: protocol.keyAgreement,
    cipher: protocol.cipher,
    ...(params.keyId === undefined ? {} : { keyId: params.keyId }),
    inferred: params.inferred,
    command: firstCommand(options.command ?? 'auto', protocol.cipher),
    group: groupName(params.group),
    ephemeralPublicKey: agreement.publicKey,
    chipPublicKey: params.chipPublicKey,
    success: false,
  };
  let channel: SecureChannel | undefined;
  let step = 'CA key agreement';
  try {
    transcript.command = await sendKeyAgreement(current, params, agreement.publicKey, options.command ?? 'auto');
    const k = agreement.sharedSecret;
    // SSC restarts at zero for AES and 3DES alike (9303-11 §9.8.2).
    const sm = new SecureMessaging(protocol.cipher, kdf(k, KDF_ENC, protocol.cipher), kdf(k, KDF_MAC, protocol.cipher));
    channel = new SecureChannel(current.inner, sm);
    const confirm = options.confirmWith === undefined ? DG14 : options.confirmWith;
    if (confirm) {
      step = 'CA confirmation';
      await selectFile(channel, confirm);
    }
    transcript.success = true;
    return { transcript, channel };
  } catch (e) {
    if (!(e instanceof EmrtdError) || isTransientError(e)) throw e;
    // A bad MAC on the key-agreement answer is still under the PACE/BAC keys: a link glitch, not the chip's key.
    if (step === 'CA key agreement' && e.code === 'secure-messaging') throw e;
    // A protected error status that verified under the new keys still proves the chip derived them.
    if (channel && step === 'CA confirmation' && !channel.sm.broken && e.code !== 'secure-messaging') {
      transcript.success = true;
      return { transcript, channel };
    }
    transcript.failure = {
      step: step === 'CA confirmation' ? step : (e.step ?? step),
      code: e.code,
      ...(e.sw === undefined ? {} : { sw: e.sw }),
    };
    // Before the key went out there is no proof to fail: an error status word is the chip declining CA.
    if (step === 'CA key agreement' && e.sw !== undefined && e.code !== 'malformed-data') {
      transcript.refused = true;
      transcript.sessionKept = !current.sm.broken;
    }
    return { transcript };
  }
}
