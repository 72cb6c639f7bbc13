import type { ElementaryFileId } from '../apdu/select.js';

/** File identifiers of ICAO 9303-10 §4.6 (FID and short file identifier). */
export interface FileRef extends ElementaryFileId {
  sfi?: number;
}

const dg = (n: number): FileRef => ({ name: `DG${n}`, fid: 0x0100 + n, sfi: n });

export const FILES = {
  CardAccess: { name: 'EF.CardAccess', fid: 0x011c, sfi: 0x1c },
  CardSecurity: { name: 'EF.CardSecurity', fid: 0x011d, sfi: 0x1d },
  COM: { name: 'EF.COM', fid: 0x011e, sfi: 0x1e },
  SOD: { name: 'EF.SOD', fid: 0x011d, sfi: 0x1d },
  DG1: dg(1),
  DG2: dg(2),
  DG3: dg(3),
  DG4: dg(4),
  DG5: dg(5),
  DG6: dg(6),
  DG7: dg(7),
  DG8: dg(8),
  DG9: dg(9),
  DG10: dg(10),
  DG11: dg(11),
  DG12: dg(12),
  DG13: dg(13),
  DG14: dg(14),
  DG15: dg(15),
  DG16: dg(16),
} as const satisfies Record<string, FileRef>;

export type FileName = keyof typeof FILES;

/** eMRTD LDS1 application identifier (ICAO 9303-10 §3.6.2); the CCCD uses it too. */
export const EMRTD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);
