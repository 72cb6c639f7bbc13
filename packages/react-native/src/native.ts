/**
 * The small part of react-native-nfc-manager (revtel/react-native-nfc-manager, 3.x) this transport uses, typed by
 * shape so that neither react-native nor the NFC library is a dependency of this package: the app passes its own
 * `NfcManager`, `NfcTech` and `NfcError` in. Facts below are from the library's 3.17.2 sources (src/*.js,
 * index.d.ts, android/…/NfcManager.java, ios/*.swift); results are checked at run time, never trusted.
 */

/**
 * The library's default export (`import NfcManager from 'react-native-nfc-manager'`), the methods used here.
 * `Tech` is the type of the library's NfcTech values (its enum), so the real object fits without a cast.
 */
export interface NfcManagerLike<Tech extends string = string> {
  /**
   * Starts a reader session and resolves when a tag offering one of the technologies is connected (with the
   * technology's name). Android: foreground dispatch / reader mode, then `IsoDep.connect()`. iOS: an
   * `NFCTagReaderSession` polling ISO 14443; `NfcTech.IsoDep` matches a connected `NFCISO7816Tag`, which Core NFC
   * only reports when one of the app's select-identifiers AIDs answers SELECT. iOS shows its sheet with
   * `alertMessage`. Rejects with `UserCancel` when the user closes the sheet (iOS) or the request is cancelled.
   */
  requestTechnology(tech: Tech, options?: RequestTechnologyOptions): Promise<unknown>;
  /** Ends the request: Android closes the technology (a blocked transceive fails), iOS invalidates the session. */
  cancelTechnologyRequest(options?: { throwOnError?: boolean; delayMsAndroid?: number }): Promise<unknown>;
  /** The connected tag: Android adds `historicalBytes` / `hiLayerResponse` for IsoDep; iOS `historicalBytes`. */
  getTag(): Promise<unknown>;
  /**
   * Both platforms: `transceive(number[])` resolves with the response APDU, data ‖ SW1 SW2 (Android
   * `IsoDep.transceive`; on iOS the library appends sw1, sw2 to `sendCommandAPDU`'s response).
   */
  isoDepHandler: { transceive(bytes: number[]): Promise<unknown> };
  /** Android only: `IsoDep.getMaxTransceiveLength()`, the largest command `transceive` can send. */
  getMaxTransceiveLength?(): Promise<unknown>;
  /** Android only: `IsoDep.setTimeout(ms)`, the transceive timeout (a late answer fails with an IOException). */
  setTimeout?(timeout: number): Promise<unknown>;
  /**
   * iOS only: `NFCISO7816Tag.sendCommand(apdu:)` with `NFCISO7816APDU(data:)` built from the raw bytes; resolves with
   * `{ response, sw1, sw2 }` (Apple: sw1/sw2 are always valid, the response may be empty).
   */
  sendCommandAPDUIOS?(bytes: number[]): Promise<unknown>;
  /** iOS only: replaces the text of the system NFC sheet while the session runs. */
  setAlertMessageIOS?(message: string): Promise<unknown>;
}

/**
 * Options of requestTechnology: iOS shows `alertMessage` on its sheet; Android passes the rest to registerTagEvent
 * (src/NfcManagerAndroid.js), where reader mode (`NfcAdapter.enableReaderMode`) takes `readerModeFlags`.
 */
export interface RequestTechnologyOptions {
  alertMessage?: string;
  isReaderModeEnabled?: boolean;
  readerModeFlags?: number;
}

/** Android NfcAdapter reader-mode flags (the library's NfcAdapter constants, Android's NfcAdapter.FLAG_READER_*). */
export const READER_MODE = { NFC_A: 0x1, NFC_B: 0x2, SKIP_NDEF_CHECK: 0x80 } as const;

/** The library's `NfcTech` (only IsoDep is used: on iOS it is the ISO 7816 tag, there is no separate `Iso7816`). */
export interface NfcTechLike<Tech extends string = string> {
  readonly IsoDep: Tech;
}

// biome-ignore lint/suspicious/noExplicitAny: a class of any constructor signature (the library's error classes).
type ErrorClass = abstract new (...args: any[]) => unknown;

/**
 * The library's `NfcError` namespace (`import { NfcError } from 'react-native-nfc-manager'`): on iOS it turns Core
 * NFC's `NFCError:<code>` into these classes (src/NfcError.js `buildNfcExceptionIOS`), on Android `cancelled` into
 * `UserCancel`. Passing it lets errors be told apart by `instanceof` (class names do not survive minification).
 */
export interface NfcErrorClasses {
  UserCancel?: ErrorClass;
  Timeout?: ErrorClass;
  TagConnectionLost?: ErrorClass;
  SessionInvalidated?: ErrorClass;
  TagNotConnected?: ErrorClass;
  RetryExceeded?: ErrorClass;
  TagResponseError?: ErrorClass;
  PacketTooLong?: ErrorClass;
  SystemBusy?: ErrorClass;
  RadioDisabled?: ErrorClass;
  UnsupportedFeature?: ErrorClass;
  SecurityViolation?: ErrorClass;
  InvalidConfiguration?: ErrorClass;
}

export type NfcPlatform = 'android' | 'ios';
