import type { Verdict } from '@cccd/emrtd';
import { EXIT } from './exit.js';
import { type Lang, message } from './i18n.js';

/**
 * Exit 0 when passive authentication is valid and nothing failed (a refused CA/AA is not a failure); else 3 with one
 * line naming the cause. genuine-data also gets one line: why the chip is not proven to be no clone.
 */
export function verdictOutcome(v: Verdict, lang: Lang): { exitCode: number; text?: string } {
  if (v.overall === 'authentic') return { exitCode: EXIT.ok };
  if (v.overall === 'genuine-data') {
    const why = v.reasons.find((r) => r.code === 'no-anti-clone-proof');
    return { exitCode: EXIT.ok, ...(why ? { text: why.message[lang] } : {}) };
  }
  if (v.overall === 'unknown-csca')
    return {
      exitCode: EXIT.notValid,
      text: message(lang, 'unknown-csca', { issuer: v.passive.missingIssuer ?? '' }),
    };
  if (v.overall === 'not-checked') return { exitCode: EXIT.notValid, text: message(lang, 'not-checked') };
  const errors = [...v.passive.reasons, ...(v.chip?.reasons ?? []), ...(v.active?.reasons ?? []), ...v.reasons].filter(
    (r) => r.severity === 'error',
  );
  const mismatched = Object.entries(v.passive.dataGroups)
    .filter(([, s]) => s === 'mismatch')
    .map(([dg]) => dg);
  // Name the failing data groups first: they are what an operator acts on (a tampered DG13, a swapped photo).
  // The reason texts name the data group ("DG13 hash does not match the SOD"); fall back to the bare list.
  const texts = errors.slice(0, 2).map((r) => r.message[lang].replace(/\.$/, ''));
  const named = mismatched.every((dg) => texts.some((t) => t.includes(dg)));
  const detail = [...(named ? [] : [mismatched.join(', ')]), ...texts].filter(Boolean).join('; ');
  return { exitCode: EXIT.notValid, text: message(lang, 'not-valid', { detail: detail || v.overall }) };
}
