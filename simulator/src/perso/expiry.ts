/**
 * The CCCD validity rule (Law 59/2014 art. 21, Law 26/2023 art. 21; docs/reference/vn-cccd.md §4): a card is
 * valid until the holder's birthday in the next age milestone, except that a card issued within 2 years before a
 * milestone runs to the one after; from the 58th birthday on, cards do not expire.
 */

/** Milestone ages: 2014 law for the 2021 CCCD, 2023 law (adds 14) for the 2024 thẻ căn cước. */
export const MILESTONES = { 'cccd-2021': [25, 40, 60], 'can-cuoc-2024': [14, 25, 40, 60] } as const;

/** The holder's birthday in the year they turn `age`, 'YYYY-MM-DD'. A 29 February birthday falls on 28 February in
 *  common years (no public source settles it). */
export function birthdayAt(dateOfBirth: string, age: number): string {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const year = y + age;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Expected expiry 'YYYY-MM-DD' for a card issued on `dateOfIssue`, or null when it never expires. */
export function expectedExpiry(
  dateOfBirth: string,
  dateOfIssue: string,
  law: keyof typeof MILESTONES = 'cccd-2021',
): string | null {
  for (const m of MILESTONES[law]) if (dateOfIssue < birthdayAt(dateOfBirth, m - 2)) return birthdayAt(dateOfBirth, m);
  return null;
}
