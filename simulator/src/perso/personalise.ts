import type { HashName, SmCipher } from '@cccd/emrtd/codec';
import type { ChipSettings, ChipSettingsInput } from '../card/chip-behaviour.js';
import { chipBehaviour, chipSettings } from '../card/chip-options.js';
import { type CardImage, FID, type PaceConfig } from '../card/image.js';
import { buildSod, createTestPki, type Seed, type SignatureAlgorithmName, type TestPki } from '../pki/index.js';
import { faceImage } from './face.js';
import { buildCardAccess } from './files/card-access.js';
import { buildCardSecurityFile } from './files/card-security.js';
import { buildCom } from './files/com.js';
import { buildDg1 } from './files/dg1.js';
import { buildDg2, dg2Overhead } from './files/dg2.js';
import { buildDg3 } from './files/dg3.js';
import { buildDg11, buildDg12 } from './files/dg11-12.js';
import { buildDg13 } from './files/dg13.js';
import { buildDg14 } from './files/dg14.js';
import { buildDg15 } from './files/dg15.js';
import { type ActiveAuthenticationChoice, activeAuthenticationKey, chipAuthenticationKey } from './keys.js';
import { canOf, mrzInformation, mrzLines } from './mrz.js';
import { type CitizenProfile, type CitizenProfileInput, parseProfile } from './profile.js';

/**
 * Default SOD signature. No public source gives the CCCD's SOD algorithm (docs/reference/vn-cccd.md §5). ECDSA on
 * brainpoolP256r1 matches the one curve the card is known to use (PACE and CA), exercises the brainpool path readers
 * most often get wrong, OpenSSL 3 verifies it, and its keys derive instantly (RSA prime search costs ~0.5 s per key).
 */
export const DEFAULT_SIGNATURE: SignatureAlgorithmName = 'ecdsa-brainpoolP256r1-sha256';

/**
 * The CCCD's PACE: id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (parameter ID 13),
 * docs/reference/vn-cccd.md §3.2.
 */
export const DEFAULT_PACE: PaceConfig[] = [{ keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }];

export interface PersonaliseOptions {
  /** Seed for every key, certificate and the DG13 field-16 serial (default 1). Same seed → identical files. */
  seed?: Seed;
  /** SOD signature algorithm (default DEFAULT_SIGNATURE); ignored when `pki` is given. */
  signature?: SignatureAlgorithmName;
  /** Hash of the data groups in the LDSSecurityObject (default SHA-256). */
  hash?: HashName;
  /** PACE configurations, written as PACEInfos in this order after TA/CA infos (default DEFAULT_PACE). */
  pace?: PaceConfig[];
  /** Also offer Integrated Mapping: one IM PACEInfo per GM configuration. */
  integratedMapping?: boolean;
  /** Chip authentication key in DG14 and ChipAuthenticationInfo in EF.CardAccess (default true). */
  withChipAuthentication?: boolean;
  /** CA curve as a domain parameter ID (default 13, brainpoolP256r1) and cipher (default AES-128, as the CCCD). */
  chipAuthenticationParameterId?: number;
  chipAuthenticationCipher?: SmCipher;
  /** Write the CA key's EC domain parameters explicitly in DG14 instead of the named curve. */
  explicitDomainParameters?: boolean;
  /** Active authentication: 'RSA' (2048 bits, default: the CCCD's AA algorithm is unknown), 'ECDSA' or null (no DG15). */
  activeAuthentication?: 'RSA' | 'ECDSA' | null | ActiveAuthenticationChoice;
  /** TerminalAuthenticationInfo in EF.CardAccess (default: true for CCCDs, false for passports). */
  terminalAuthentication?: boolean;
  /** Use this PKI instead of creating one from the seed and signature. */
  pki?: TestPki;
  /**
   * Chip behaviour (see CHIP_OPTIONS), on top of the profile's `chip` list. ca=not-advertised and aa=absent shape the
   * files here; every option is stored in the image (`chip`) for the applet to follow.
   */
  chip?: ChipSettingsInput;
}

export interface PersonalisedCard extends CardImage {
  profile: CitizenProfile;
  /** The MRZ lines written to DG1. */
  mrz: string[];
  seed: Seed;
}

/**
 * The PACE-CAM configuration a pace-cam chip adds (ICAO 9303-11 §4.4.3.3.3: ECDH and AES only): the curve and cipher
 * of the first ECDH GM configuration, as a chip offers CAM beside GM on the same domain parameters.
 */
function paceCamConfig(pace: PaceConfig[]): PaceConfig {
  const base = pace.find((p) => p.keyAgreement === 'ECDH' && p.mapping === 'GM' && p.cipher !== '3DES');
  if (!base) throw new RangeError('pace-cam needs an ECDH generic-mapping PACE configuration with AES');
  return { ...base, mapping: 'CAM' };
}

/** Data groups in the order the CCCD's EF.COM lists them (AndyQ/NFCPassportReader #214). */
const CCCD_COM_ORDER = [1, 2, 3, 13, 15, 14];
const PASSPORT_COM_ORDER = [1, 2, 11, 12, 14, 15];

function aaChoice(option: PersonaliseOptions['activeAuthentication']): ActiveAuthenticationChoice | null {
  if (option === null) return null;
  if (option === undefined || option === 'RSA') return { type: 'RSA' };
  if (option === 'ECDSA') return { type: 'ECDSA' };
  return option;
}

/** Builds every file of a card from a citizen profile, signs the SOD and returns the card image the applet runs. */
export async function personalise(
  profileInput: CitizenProfile | CitizenProfileInput,
  options: PersonaliseOptions = {},
): Promise<PersonalisedCard> {
  const profile = parseProfile(profileInput);
  const seed = options.seed ?? 1;
  const passport = profile.kind === 'passport-td3';
  const gm = options.pace ?? DEFAULT_PACE;
  const chip: ChipSettings = chipSettings(profile.chip, options.chip);
  const behaviour = chipBehaviour(chip);
  const camConfig = behaviour.paceCam.kind === 'absent' ? undefined : paceCamConfig(gm);
  const pace = [
    ...gm,
    ...(options.integratedMapping
      ? gm.filter((p) => p.mapping === 'GM').map((p): PaceConfig => ({ ...p, mapping: 'IM' }))
      : []),
    ...(camConfig ? [camConfig] : []),
  ];
  const caNotAdvertised = behaviour.ca.kind === 'not-advertised';
  const terminalAuthentication = options.terminalAuthentication ?? !passport;
  const chipAuthentication =
    options.withChipAuthentication === false || caNotAdvertised
      ? undefined
      : chipAuthenticationKey(
          seed,
          options.chipAuthenticationParameterId ?? 13,
          options.chipAuthenticationCipher ?? 'AES-128',
        );
  // PACE-CAM's static key lives on the PACE curve: the CA key when it is there, else one derived the same way.
  const chipAuthenticationMapping = camConfig
    ? chipAuthentication?.parameterId === camConfig.parameterId
      ? chipAuthentication
      : chipAuthenticationKey(seed, camConfig.parameterId, camConfig.cipher)
    : undefined;
  const aa = behaviour.aa.kind === 'absent' ? null : aaChoice(options.activeAuthentication);
  const activeAuthentication = aa ? activeAuthenticationKey(seed, aa) : undefined;

  const dgs = new Map<number, Uint8Array>();
  dgs.set(1, buildDg1(profile));
  const sexOption = { sex: profile.sex };
  dgs.set(2, buildDg2(faceImage(profile.face, dg2Overhead(profile.face.targetBytes)), sexOption));
  if (passport) {
    dgs.set(11, buildDg11(profile));
    dgs.set(12, buildDg12(profile));
  } else {
    dgs.set(3, buildDg3());
    dgs.set(13, buildDg13(profile, seed));
  }
  // Without CA a card that does TA keeps its DG14 (a CCCD lists DG14 in EF.COM), holding the TA info only.
  const dg14Ta = caNotAdvertised && terminalAuthentication;
  if (chipAuthentication || activeAuthentication?.type === 'ECDSA' || dg14Ta)
    dgs.set(
      14,
      buildDg14({
        chipAuthentication,
        activeAuthentication,
        explicitParameters: options.explicitDomainParameters,
        terminalAuthentication: dg14Ta,
      }),
    );
  if (activeAuthentication) dgs.set(15, buildDg15(activeAuthentication));

  const pki = options.pki ?? createTestPki({ seed, signature: options.signature ?? DEFAULT_SIGNATURE });
  const sod = buildSod({
    dataGroups: dgs,
    hash: options.hash ?? 'SHA-256',
    signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
    signingTime: pki.signingTime,
  });

  const files = new Map<number, Uint8Array>();
  files.set(
    FID.cardAccess,
    buildCardAccess({
      pace,
      terminalAuthentication,
      // Passports advertise CA in DG14 only; the CCCD repeats it in EF.CardAccess.
      chipAuthentication: chipAuthentication && !passport ? chipAuthentication : undefined,
    }),
  );
  files.set(FID.com, buildCom((passport ? PASSPORT_COM_ORDER : CCCD_COM_ORDER).filter((n) => dgs.has(n))));
  for (const [n, file] of dgs) files.set(FID.dg(n), file);
  files.set(FID.sod, sod);
  const masterFiles = new Map<number, Uint8Array>();
  if (chipAuthenticationMapping && behaviour.paceCam.kind !== 'no-card-security')
    masterFiles.set(
      FID.cardSecurity,
      buildCardSecurityFile({
        pace,
        chipAuthenticationMapping,
        terminalAuthentication,
        signer: { certDer: pki.ds.certDer, keyPair: pki.ds.keyPair, algorithm: pki.ds.algorithm },
        signingTime: pki.signingTime,
        badSignature: behaviour.paceCam.kind === 'bad-signature',
      }),
    );

  return {
    files,
    ...(masterFiles.size ? { masterFiles } : {}),
    protectedFids: new Set(passport ? [] : [FID.dg(3)]),
    mrzInformation: mrzInformation(profile),
    can: canOf(profile),
    pace,
    chipAuthentication,
    ...(chipAuthenticationMapping ? { chipAuthenticationMapping } : {}),
    activeAuthentication,
    pki: { cscaCertDer: pki.csca.certDer, dsCertDer: pki.ds.certDer, crlDer: pki.crlDer },
    ...(Object.keys(chip).length ? { chip } : {}),
    profile,
    mrz: mrzLines(profile),
    seed,
  };
}
