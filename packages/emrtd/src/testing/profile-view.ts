/**
 * Test support: a simulator profile's fields as the SDK's CCCD view must return them. Shared by the in-process
 * and the PC/SC reads of every profile.
 */
import type { CitizenProfile } from '@cccd/simulator';

export function expectedDocument(profile: CitizenProfile) {
  const empty = (v: string | null | undefined) => (v ? v.normalize('NFC') : null);
  return {
    idNumber: profile.idNumber,
    oldIdNumber: profile.oldIdNumber ?? null,
    fullName: profile.fullName.normalize('NFC'),
    dateOfBirth: profile.dateOfBirth,
    sex: profile.sex,
    nationality: profile.nationality,
    ethnicity: profile.ethnicity,
    religion: profile.religion,
    placeOfOrigin: profile.placeOfOrigin,
    placeOfResidence: profile.placeOfResidence,
    identifyingMarks: empty(profile.identifyingMarks),
    dateOfIssue: profile.dateOfIssue,
    dateOfExpiry: profile.dateOfExpiry,
    noExpiry: profile.dateOfExpiry === null,
    fatherName: empty(profile.fatherName),
    motherName: empty(profile.motherName),
    spouseName: empty(profile.spouseName),
  };
}
