/** One entry point for every LDS file by name, for readers that fetch files generically. */

import { readRoot } from '../asn1/der.js';
import { EmrtdError } from '../errors.js';
import { parseCardAccess, type SecurityInfos } from './card-access.js';
import { type CardSecurity, parseCardSecurity } from './card-security.js';
import { DG_TAGS, type EfCom, parseCom } from './com.js';
import { type Dg1, parseDg1 } from './dg1.js';
import { type Dg2, parseDg2 } from './dg2.js';
import { type Dg7, parseDg7 } from './dg7.js';
import { type Dg11, parseDg11 } from './dg11.js';
import { type Dg12, parseDg12 } from './dg12.js';
import { type Dg13, parseDg13 } from './dg13.js';
import { parseDg14 } from './dg14.js';
import { parseDg15 } from './dg15.js';
import type { SubjectPublicKeyInfo } from './public-key.js';
import { parseSod, type Sod } from './sod.js';

export type UnparsedDataGroup = 'DG3' | 'DG4' | 'DG5' | 'DG6' | 'DG8' | 'DG9' | 'DG10' | 'DG16';

export type ParsedLdsFile =
  | { file: 'EF.COM'; data: EfCom }
  | { file: 'EF.SOD'; data: Sod }
  | { file: 'EF.CardAccess'; data: SecurityInfos }
  | { file: 'EF.CardSecurity'; data: CardSecurity }
  | { file: 'DG1'; data: Dg1 }
  | { file: 'DG2'; data: Dg2 }
  | { file: 'DG7'; data: Dg7 }
  | { file: 'DG11'; data: Dg11 }
  | { file: 'DG12'; data: Dg12 }
  | { file: 'DG13'; data: Dg13 }
  | { file: 'DG14'; data: SecurityInfos }
  | { file: 'DG15'; data: SubjectPublicKeyInfo }
  /** Groups without a parser (biometrics behind EAC, etc.): only the outer template tag is checked. */
  | { file: UnparsedDataGroup; data: { raw: Uint8Array } };

export type LdsFileName = ParsedLdsFile['file'];

const ALIASES: Record<string, LdsFileName> = {
  COM: 'EF.COM',
  SOD: 'EF.SOD',
  CARDACCESS: 'EF.CardAccess',
  CARDSECURITY: 'EF.CardSecurity',
};

/** Canonical file name ('dg13', 'EF.DG13', 'sod', 'EF.CardAccess' …), or undefined when not an LDS file. */
export function ldsFileName(name: string): LdsFileName | undefined {
  const key = String(name)
    .toUpperCase()
    .replace(/^EF[._ ]?/, '');
  const alias = ALIASES[key];
  if (alias) return alias;
  const dg = /^DG([1-9]|1[0-6])$/.exec(key);
  return dg ? (`DG${dg[1]}` as LdsFileName) : undefined;
}

const TAG_OF_DG: Record<number, number> = Object.fromEntries(Object.entries(DG_TAGS).map(([t, n]) => [n, Number(t)]));

export function parseLdsFile(name: string, bytes: Uint8Array): ParsedLdsFile {
  const file = ldsFileName(name);
  switch (file) {
    case 'EF.COM':
      return { file, data: parseCom(bytes) };
    case 'EF.SOD':
      return { file, data: parseSod(bytes) };
    case 'EF.CardAccess':
      return { file, data: parseCardAccess(bytes) };
    case 'EF.CardSecurity':
      return { file, data: parseCardSecurity(bytes) };
    case 'DG1':
      return { file, data: parseDg1(bytes) };
    case 'DG2':
      return { file, data: parseDg2(bytes) };
    case 'DG7':
      return { file, data: parseDg7(bytes) };
    case 'DG11':
      return { file, data: parseDg11(bytes) };
    case 'DG12':
      return { file, data: parseDg12(bytes) };
    case 'DG13':
      return { file, data: parseDg13(bytes) };
    case 'DG14':
      return { file, data: parseDg14(bytes) };
    case 'DG15':
      return { file, data: parseDg15(bytes) };
    case undefined:
      throw new EmrtdError('invalid-argument', 'not an LDS file name');
    default:
      readRoot(bytes, file, TAG_OF_DG[Number(file.slice(2))]);
      return { file, data: { raw: bytes } };
  }
}
