/**
 * Test-only access to the real trust material in packages/emrtd/test-data/real/ (public ICAO master lists and the
 * Vietnam ePassport CSCA, written by their issuers, not by this project). Facts about them, and how they were
 * established with openssl: docs/reference/real-trust-material.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REAL_DATA_DIR = fileURLToPath(new URL('../../test-data/real/', import.meta.url));

export const REAL_FILES = {
  germanMasterList: 'DE_ML_2026-05-28-08-28-45.ml',
  dutchMasterList: 'NL_ML_2026-07-22.ml',
  vietnamCsca: 'vn-csca-epassport-2022.pem',
} as const;

export const realPath = (name: keyof typeof REAL_FILES): string => REAL_DATA_DIR + REAL_FILES[name];

export const readReal = (name: keyof typeof REAL_FILES): Uint8Array => new Uint8Array(readFileSync(realPath(name)));

/** The Vietnam ePassport CSCA's subject as the SDK prints it. */
export const VN_CSCA_SUBJECT = 'C=VN, O=Vietnam Government Information Security Commission, CN=CSCA ePassport Vietnam';
