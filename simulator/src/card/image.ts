import type { SmCipher } from '@cccd/emrtd/codec';
import type { ChipSettings } from './chip-behaviour.js';

/**
 * Everything a personalised card holds: the files, the secrets the chip keeps to itself, and the trust material a
 * test needs to verify it. Personalisation (simulator/src/perso) produces it; the applet (simulator/src/card) runs it.
 */
export interface CardImage {
  /** Elementary files of the eMRTD application by FID: 0x011C CardAccess, 0x011E COM, 0x011D SOD, 0x0101 DG1… */
  files: Map<number, Uint8Array>;
  /** FIDs that exist but answer 6982 (EAC-protected, e.g. DG3 = 0x0103 on the CCCD). */
  protectedFids: Set<number>;
  /** BAC / PACE-MRZ secret: document number ‖ cd ‖ birth date ‖ cd ‖ expiry ‖ cd (ICAO 9303-11 §9.7.2). */
  mrzInformation: string;
  /** Card Access Number (CCCD: last 6 digits of the ID). */
  can: string;
  /** PACE configurations the chip accepts (also written to EF.CardAccess as PACEInfos). */
  pace: PaceConfig[];
  /** Chip authentication key pair (DG14 holds the public half), when the card supports CA. */
  chipAuthentication?: ChipAuthenticationKey;
  /**
   * The static key of PACE-CAM (ICAO 9303-11 §4.4.3.3.3; EF.CardSecurity holds the public half), when a PaceConfig
   * uses mapping CAM. On the PACE curve; the same key as `chipAuthentication` when that one is on it.
   */
  chipAuthenticationMapping?: ChipAuthenticationKey;
  /** Active authentication key pair (DG15 holds the public half), when the card supports AA. */
  activeAuthentication?: ActiveAuthenticationKey;
  /** Trust material for tests and for `cccd sim personalise --out`. */
  pki?: { cscaCertDer: Uint8Array; dsCertDer: Uint8Array; crlDer?: Uint8Array };
  /** Whether the chip accepts Basic Access Control (default true: every CCCD reader in the field uses it). */
  bac?: boolean;
  /**
   * Files of the master file, readable without selecting the application (EF.DIR 2F00, EF.ATR/INFO 2F01,
   * EF.CardSecurity 011D). EF.CardAccess 011C may sit here or in `files`; either way it is an MF-level file.
   */
  masterFiles?: Map<number, Uint8Array>;
  /**
   * Chip behaviour options this card was personalised with (see CHIP_OPTIONS); the applet follows them, and
   * CardOptions.chip overrides them.
   */
  chip?: ChipSettings;
}

export interface PaceConfig {
  keyAgreement: 'ECDH' | 'DH';
  /** CAM: generic mapping, plus CA_IC in GA 4 (needs `chipAuthenticationMapping`, ECDH, AES). */
  mapping: 'GM' | 'IM' | 'CAM';
  cipher: SmCipher;
  /** Standardised domain parameter ID (ICAO 9303-11 §9.5.1), e.g. 13 = brainpoolP256r1. */
  parameterId: number;
}

export interface ChipAuthenticationKey {
  keyAgreement: 'ECDH' | 'DH';
  cipher: SmCipher;
  parameterId: number;
  keyId?: number;
  /** Private scalar (ECDH) or exponent (DH), big-endian. */
  privateKey: Uint8Array;
  /** Public point (uncompressed, 04‖X‖Y) or DH public value, big-endian. */
  publicKey: Uint8Array;
}

export type ActiveAuthenticationKey =
  | {
      type: 'RSA';
      /** PKCS#8 DER */
      privateKeyDer: Uint8Array;
      /** SubjectPublicKeyInfo DER */
      publicKeyDer: Uint8Array;
      /** ISO/IEC 9796-2 hash; SHA-1 (trailer 'BC') when absent, as on most eMRTDs. */
      hash?: 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
    }
  | {
      type: 'ECDSA';
      /** Named curve of the key, e.g. 'brainpoolP256r1' or 'secp256r1'. */
      curve: string;
      privateKey: Uint8Array;
      publicKeyDer: Uint8Array;
      /** Hash named by ActiveAuthenticationInfo in DG14. */
      hash: 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
    };

/** LDS file identifiers (ICAO 9303-10 §4.6). SFI = low 5 bits of the FID for DG1–DG16, COM and SOD. */
export const FID = {
  cardAccess: 0x011c,
  cardSecurity: 0x011d,
  com: 0x011e,
  sod: 0x011d,
  dg: (n: number) => 0x0100 + n,
} as const;
