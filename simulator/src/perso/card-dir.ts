import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmrtdError } from '@cccd/emrtd';
import { fromHex, hex } from '@cccd/emrtd/codec';
import type { ChipSettings } from '../card/chip-behaviour.js';
import { formatChipOptions, parseChipOptions } from '../card/chip-options.js';
import type { ActiveAuthenticationKey, CardImage, ChipAuthenticationKey, PaceConfig } from '../card/image.js';
import { toPem } from '../pki/index.js';
import { type CitizenProfile, parseProfile } from './profile.js';

const CARD_FORMAT = 'cccd-simulator-card/1';
const WARNING =
  'TEST ONLY: secrets of an invented simulator card. Never use these keys or this data for anything real.';

/** File name of an EF in a card directory: EF.CardAccess.bin, EF.COM.bin, EF.SOD.bin, DG1.bin … DG16.bin. */
export function efFileName(fid: number): string {
  if (fid === 0x011c) return 'EF.CardAccess.bin';
  if (fid === 0x011e) return 'EF.COM.bin';
  if (fid === 0x011d) return 'EF.SOD.bin';
  if (fid >= 0x0101 && fid <= 0x0110) return `DG${fid - 0x0100}.bin`;
  return `EF.${fid.toString(16).toUpperCase().padStart(4, '0')}.bin`;
}

interface CardJson {
  warning: string;
  format: string;
  mrzInformation: string;
  can: string;
  mrz?: string[];
  seed?: string | number;
  pace: PaceConfig[];
  /** File name → FID (hex). */
  files: Record<string, string>;
  /** Master-file level files (EF.DIR, EF.CardSecurity…), file name → FID (hex). */
  masterFiles?: Record<string, string>;
  protectedFids: string[];
  chipAuthentication?: Omit<ChipAuthenticationKey, 'privateKey' | 'publicKey'> & {
    privateKey: string;
    publicKey: string;
  };
  /** The PACE-CAM static key (EF.CardSecurity holds the public half). */
  chipAuthenticationMapping?: Omit<ChipAuthenticationKey, 'privateKey' | 'publicKey'> & {
    privateKey: string;
    publicKey: string;
  };
  activeAuthentication?:
    | { type: 'RSA'; privateKeyDer: string; publicKeyDer: string }
    | { type: 'ECDSA'; curve: string; privateKey: string; publicKeyDer: string; hash: string };
  /** Chip behaviour options the card was personalised with (`name=value`, see CHIP_OPTIONS). */
  chip?: string[];
}

const fidHex = (fid: number) => fid.toString(16).toUpperCase().padStart(4, '0');

function aaToJson(aa: ActiveAuthenticationKey): NonNullable<CardJson['activeAuthentication']> {
  return aa.type === 'RSA'
    ? { type: 'RSA', privateKeyDer: hex(aa.privateKeyDer), publicKeyDer: hex(aa.publicKeyDer) }
    : { ...aa, privateKey: hex(aa.privateKey), publicKeyDer: hex(aa.publicKeyDer) };
}

/**
 * Writes a card directory: every EF named after itself, csca.pem, ds.pem, crl.der, profile.json, and card.json
 * with what is needed to run the card again (MRZ information, CAN, CA/AA private keys in hex — TEST ONLY).
 * Returns the names of the files written.
 */
export function writeCardDir(
  image: CardImage & { profile?: CitizenProfile; mrz?: string[]; seed?: unknown },
  dir: string,
): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name), data);
    written.push(name);
  };
  const fileMap: Record<string, string> = {};
  for (const [fid, data] of [...image.files].sort(([a], [b]) => a - b)) {
    const name = efFileName(fid);
    fileMap[name] = fidHex(fid);
    put(name, data);
  }
  const masterMap: Record<string, string> = {};
  for (const [fid, data] of [...(image.masterFiles ?? new Map<number, Uint8Array>())].sort(([a], [b]) => a - b)) {
    const name = `MF.${fidHex(fid)}.bin`;
    masterMap[name] = fidHex(fid);
    put(name, data);
  }
  if (image.pki) {
    put('csca.pem', toPem(image.pki.cscaCertDer));
    put('ds.pem', toPem(image.pki.dsCertDer));
    if (image.pki.crlDer) put('crl.der', image.pki.crlDer);
  }
  if (image.profile) put('profile.json', `${JSON.stringify(image.profile, null, 2)}\n`);
  const ca = image.chipAuthentication;
  const cam = image.chipAuthenticationMapping;
  const chipSpecs = formatChipOptions(image.chip);
  const card: CardJson = {
    warning: WARNING,
    format: CARD_FORMAT,
    mrzInformation: image.mrzInformation,
    can: image.can,
    ...(image.mrz ? { mrz: image.mrz } : {}),
    ...(typeof image.seed === 'string' || typeof image.seed === 'number' ? { seed: image.seed } : {}),
    pace: image.pace,
    files: fileMap,
    ...(Object.keys(masterMap).length ? { masterFiles: masterMap } : {}),
    protectedFids: [...image.protectedFids].map(fidHex),
    ...(ca ? { chipAuthentication: { ...ca, privateKey: hex(ca.privateKey), publicKey: hex(ca.publicKey) } } : {}),
    ...(cam
      ? { chipAuthenticationMapping: { ...cam, privateKey: hex(cam.privateKey), publicKey: hex(cam.publicKey) } }
      : {}),
    ...(image.activeAuthentication ? { activeAuthentication: aaToJson(image.activeAuthentication) } : {}),
    ...(chipSpecs.length ? { chip: chipSpecs } : {}),
  };
  put('card.json', `${JSON.stringify(card, null, 2)}\n`);
  return written;
}

function fromPem(text: string): Uint8Array {
  const body = text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function readOptional(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const bad = (dir: string, what: string) =>
  new EmrtdError('invalid-argument', `card directory ${dir}: ${what}`, { step: 'card-dir' });

function readFiles(dir: string, map: Record<string, string>): Map<number, Uint8Array> {
  const files = new Map<number, Uint8Array>();
  for (const [name, fid] of Object.entries(map)) {
    if (!/^[A-Za-z0-9.]+\.bin$/.test(name) || !/^[0-9A-Fa-f]{4}$/.test(fid))
      throw bad(dir, 'card.json lists a file name or FID that is not allowed');
    const data = readOptional(join(dir, name));
    if (!data) throw bad(dir, `${name} is missing`);
    files.set(Number.parseInt(fid, 16), data);
  }
  return files;
}

function chipOf(dir: string, specs: unknown): ChipSettings | undefined {
  if (specs === undefined) return undefined;
  if (!Array.isArray(specs) || !specs.every((s) => typeof s === 'string'))
    throw bad(dir, 'card.json chip must be a list of name=value strings');
  try {
    return parseChipOptions(specs);
  } catch (e) {
    throw bad(dir, `card.json: ${e instanceof EmrtdError ? e.message : 'invalid chip option'}`);
  }
}

function parseProfileJson(dir: string, bytes: Uint8Array): CitizenProfile {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    // The parser's message quotes the text, which is personal data.
    throw bad(dir, 'profile.json is not valid JSON');
  }
  return parseProfile(json, `${dir}/profile.json`);
}

/** Reads a directory written by writeCardDir back into a card image (plus its profile when profile.json is there). */
export function readCardDir(dir: string): CardImage & { profile?: CitizenProfile } {
  let card: CardJson;
  try {
    card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as CardJson;
  } catch {
    throw bad(dir, 'card.json is missing or not valid JSON');
  }
  if (card.format !== CARD_FORMAT || typeof card.files !== 'object' || !Array.isArray(card.pace))
    throw bad(dir, `card.json is not a ${CARD_FORMAT} file`);
  const files = readFiles(dir, card.files);
  const masterFiles = card.masterFiles ? readFiles(dir, card.masterFiles) : undefined;
  const ca = card.chipAuthentication;
  const cam = card.chipAuthenticationMapping;
  const aa = card.activeAuthentication;
  const csca = readOptional(join(dir, 'csca.pem'));
  const ds = readOptional(join(dir, 'ds.pem'));
  const crl = readOptional(join(dir, 'crl.der'));
  const profileJson = readOptional(join(dir, 'profile.json'));
  const chip = chipOf(dir, card.chip);
  return {
    files,
    ...(masterFiles ? { masterFiles } : {}),
    protectedFids: new Set(card.protectedFids.map((f) => Number.parseInt(f, 16))),
    mrzInformation: card.mrzInformation,
    can: card.can,
    pace: card.pace,
    ...(ca
      ? { chipAuthentication: { ...ca, privateKey: fromHex(ca.privateKey), publicKey: fromHex(ca.publicKey) } }
      : {}),
    ...(cam
      ? {
          chipAuthenticationMapping: {
            ...cam,
            privateKey: fromHex(cam.privateKey),
            publicKey: fromHex(cam.publicKey),
          },
        }
      : {}),
    ...(aa
      ? {
          activeAuthentication:
            aa.type === 'RSA'
              ? { type: 'RSA', privateKeyDer: fromHex(aa.privateKeyDer), publicKeyDer: fromHex(aa.publicKeyDer) }
              : {
                  ...aa,
                  hash: aa.hash as Extract<ActiveAuthenticationKey, { type: 'ECDSA' }>['hash'],
                  privateKey: fromHex(aa.privateKey),
                  publicKeyDer: fromHex(aa.publicKeyDer),
                },
        }
      : {}),
    ...(csca && ds
      ? {
          pki: {
            cscaCertDer: fromPem(Buffer.from(csca).toString('ascii')),
            dsCertDer: fromPem(Buffer.from(ds).toString('ascii')),
            ...(crl ? { crlDer: crl } : {}),
          },
        }
      : {}),
    ...(profileJson ? { profile: parseProfileJson(dir, profileJson) } : {}),
    ...(chip && Object.keys(chip).length ? { chip } : {}),
  };
}
