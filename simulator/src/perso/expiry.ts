import { cccdExpiry, MILESTONES as LAW_MILESTONES } from '@cccd/emrtd/codec';

/**
 * The CCCD validity rule (Law 59/2014 art. 21, Law 26/2023 art. 21; docs/reference/vn-cccd.md §4) is the reader's
 * (`cccdExpiry` in @cccd/emrtd): the simulator personalises cards by the same rule the reader guesses keys with, so
 * the two cannot drift. Here it is keyed by the card kind a profile names.
 */

/** Milestone ages: 2014 law for the 2021 CCCD, 2023 law (adds 14) for the 2024 thẻ căn cước. */
export const MILESTONES = {
  'cccd-2021': LAW_MILESTONES['2014'],
  'can-cuoc-2024': LAW_MILESTONES['2023'],
} as const;

const LAW_OF = { 'cccd-2021': '2014', 'can-cuoc-2024': '2023' } as const;

/** Expected expiry 'YYYY-MM-DD' for a card issued on `dateOfIssue`, or null when it never expires. */
export function expectedExpiry(
  dateOfBirth: string,
  dateOfIssue: string,
  law: keyof typeof MILESTONES = 'cccd-2021',
): string | null {
  return cccdExpiry(dateOfBirth, dateOfIssue, LAW_OF[law]).expiry;
}
