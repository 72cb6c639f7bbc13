/**
 * The example app's read, without any React: CAN entry → NfcTransport → readVerified → the verdict first, then the
 * fields. Kept free of react-native imports so it is type-checked and tested in this repository (against a fake of
 * the native NFC module: packages/react-native/src/example.test.ts); App.tsx only renders what this returns.
 */
import {
  type CccdDocument,
  canKey,
  EmrtdError,
  type LocalizedText,
  type OverallStatus,
  readVerified,
  type TrustStore,
} from '@cccd/emrtd';
import { type NfcLinkEvent, NfcTransport, type NfcTransportOptions } from '@cccd/react-native';

/** What the screen shows. `verdict` is always shown before `document`; neither is ever logged. */
export type CardOutcome =
  | {
      kind: 'read';
      verdict: OverallStatus;
      /** Verdict texts for the screen (coded reasons carry no personal data). */
      reasons: LocalizedText[];
      /** Shown only under an accepted verdict; undefined otherwise. */
      document: CccdDocument | undefined;
      /** Times the read resumed after the card left the field or an iOS NFC session ended. */
      resumes: number;
    }
  | { kind: 'failed'; code: string; retriable: boolean; message: LocalizedText };

export interface ReadCardDeps {
  /** platform, nfcManager, nfcTech, nfcErrors, as the app got them from react-native and react-native-nfc-manager. */
  nfc: Omit<NfcTransportOptions, 'messages' | 'onEvent'>;
  trustStore: TrustStore;
  /** Cancels everything (the user leaves the screen). */
  signal?: AbortSignal;
  /** Link events for the status line ("hold the card", "hold it again"). */
  onEvent?: (event: NfcLinkEvent) => void;
}

/** The verdicts under which the fields are shown (docs/verification.md: refused is not failed, simulated is never genuine). */
const ACCEPTED: ReadonlySet<OverallStatus> = new Set(['authentic', 'genuine-data']);

const MESSAGES = {
  tap: 'Áp mặt sau điện thoại vào chip của thẻ CCCD / Hold the phone against the chip of the CCCD card',
  retap: 'Giữ thẻ sát điện thoại lần nữa để đọc tiếp / Hold the card against the phone again to continue',
};

export async function readCard(can: string, deps: ReadCardDeps): Promise<CardOutcome> {
  let key: ReturnType<typeof canKey>;
  try {
    key = canKey(can); // 6 digits, checked before NFC starts
  } catch {
    return failed('invalid-argument', false, {
      vi: 'CAN gồm 6 chữ số in trên thẻ',
      en: 'The CAN is the 6 digits printed on the card',
    });
  }
  let transport: NfcTransport | undefined;
  try {
    transport = await NfcTransport.open(
      { ...deps.nfc, messages: MESSAGES, onEvent: deps.onEvent },
      { signal: deps.signal },
    );
    const result = await readVerified(transport, [key], { trustStore: deps.trustStore, signal: deps.signal });
    const verdict = result.verification.overall;
    return {
      kind: 'read',
      verdict,
      reasons: result.verification.passive.reasons.map((r) => r.message),
      document: ACCEPTED.has(verdict) ? result.document : undefined,
      resumes: result.report.resumes,
    };
  } catch (e) {
    if (!(e instanceof EmrtdError))
      return failed('internal', false, { vi: 'Lỗi không xác định', en: 'Unexpected error' });
    return failed(e.code, e.retriable, textFor(e));
  } finally {
    await transport?.close();
  }
}

const failed = (code: string, retriable: boolean, message: LocalizedText): CardOutcome => ({
  kind: 'failed',
  code,
  retriable,
  message,
});

/** What the user is told; the error's own message names a step and a status word, never a value. */
function textFor(e: EmrtdError): LocalizedText {
  switch (e.code) {
    case 'access-denied':
      return { vi: 'CAN không đúng', en: 'Wrong CAN' };
    case 'cancelled':
      return { vi: 'Đã hủy', en: 'Cancelled' };
    case 'timeout':
      return { vi: 'Không thấy thẻ, hãy thử lại', en: 'No card found, try again' };
    case 'card-removed':
      return { vi: 'Thẻ rời khỏi điện thoại, hãy thử lại', en: 'The card moved away, try again' };
    case 'unsupported':
      return { vi: 'Điện thoại không hỗ trợ NFC', en: 'This phone cannot read NFC cards' };
    default:
      return { vi: `Không đọc được thẻ (${e.code})`, en: `Could not read the card (${e.code})` };
  }
}
