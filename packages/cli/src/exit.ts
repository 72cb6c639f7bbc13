/**
 * Exit codes and the one-line error report. Messages come from the CLI's own catalogue (i18n.ts) or from typed
 * errors whose texts carry step names and status words only; never a stack trace, never a command-line value.
 */
import { EmrtdError } from '@cccd/emrtd';
import { UsageError } from './args.js';
import { type Lang, type MessageKey, message } from './i18n.js';

export const EXIT = {
  ok: 0,
  /** Internal failure outside the documented cases (a bug): still one line. */
  failure: 1,
  usage: 2,
  notValid: 3,
  accessDenied: 4,
  io: 5,
  noCard: 6,
} as const;

/** An expected failure with its exit code and a catalogue message. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly exitCode: number,
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(key);
  }
}

/** PcscError reasons (duck-typed: @cccd/pcsc is loaded only when a real reader is used). */
const PCSC_EXIT: Record<string, [number, MessageKey]> = {
  'no-service': [EXIT.noCard, 'no-service'],
  'no-readers': [EXIT.noCard, 'no-readers'],
  'unknown-reader': [EXIT.noCard, 'unknown-reader'],
  'reader-unavailable': [EXIT.noCard, 'no-readers'],
  'sharing-violation': [EXIT.io, 'sharing-violation'],
};

export interface Failure {
  exitCode: number;
  text: string;
}

/** Maps any thrown value to an exit code and one line of text (without the command prefix). */
export function describeFailure(error: unknown, lang: Lang): Failure {
  if (error instanceof UsageError) return { exitCode: EXIT.usage, text: error.message };
  if (error instanceof CliError) return { exitCode: error.exitCode, text: message(lang, error.key, error.params) };
  if (error instanceof EmrtdError) {
    const reason = (error as EmrtdError & { reason?: string }).reason;
    const pcsc = reason === undefined ? undefined : PCSC_EXIT[reason];
    if (pcsc) return { exitCode: pcsc[0], text: message(lang, pcsc[1], { reader: '' }) };
    switch (error.code) {
      case 'access-denied':
        return { exitCode: EXIT.accessDenied, text: message(lang, 'access-denied') };
      case 'invalid-argument':
        return { exitCode: EXIT.usage, text: error.message };
      case 'card-removed':
        return { exitCode: EXIT.io, text: message(lang, 'card-removed') };
      case 'timeout':
        return { exitCode: EXIT.io, text: message(lang, 'timeout', { step: error.step ?? 'transmit' }) };
      case 'cancelled':
        return { exitCode: EXIT.io, text: error.message };
      default:
        // Typed errors name the step and SW only (errors.ts contract), so their text is safe to show.
        return { exitCode: EXIT.io, text: message(lang, 'io', { detail: error.message }) };
    }
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { exitCode: EXIT.failure, text: message(lang, 'internal', { name }) };
}
