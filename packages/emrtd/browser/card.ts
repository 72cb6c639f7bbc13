/** Test code (Node): the simulated card a browser read uses, and what must never be printed from it. */
import { TrustStore } from '@cccd/emrtd';
import { hex } from '@cccd/emrtd/codec';
import { InProcessTransport, type PersonalisedCard, SimulatedCard } from '@cccd/simulator';

/** Every file of a CCCD read: EF.COM, DG1, DG2 (face), DG13 (personal data), DG14 (CA key), DG15 (AA key); SOD is added. */
export const ALL_GROUPS = ['COM', 'DG1', 'DG2', 'DG13', 'DG14', 'DG15'] as const;

/** The card's personal values: masked wherever the page's output is printed. */
export function secretsOf(image: PersonalisedCard): string[] {
  const p = image.profile;
  const values = [image.can, ...image.mrz, p.idNumber, p.oldIdNumber, p.fullName, p.dateOfBirth];
  values.push(p.placeOfResidence, p.placeOfOrigin, p.fatherName, p.motherName, p.spouseName);
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

export function trustStoreFor(image: PersonalisedCard): TrustStore {
  const store = new TrustStore();
  store.addCertificate(image.pki!.cscaCertDer);
  return store;
}

/** What the page needs to read this card: the CAN and the simulator's test CSCA (hex). */
export function pageRequest(image: PersonalisedCard, groups: readonly (typeof ALL_GROUPS)[number][] = ALL_GROUPS) {
  return { can: image.can, cscaHex: hex(image.pki!.cscaCertDer), groups: [...groups], extendedLength: true };
}

/** A fresh tap of the same card: a new SimulatedCard on the same personalisation. */
export const tap = (image: PersonalisedCard) =>
  new InProcessTransport(new SimulatedCard(image, { extendedLength: true }));
