/** The file sections of a chip profile: sizes, EF.CardAccess, EF.COM, DG14, DG15 and EF.SOD, never their content. */

import { readRoot } from '../asn1/der.js';
import { EmrtdError } from '../errors.js';
import { parseCardAccess } from '../lds/card-access.js';
import { parseCom } from '../lds/com.js';
import { parseDg14 } from '../lds/dg14.js';
import { parseDg15 } from '../lds/dg15.js';
import { parseSod } from '../lds/sod.js';
import { nameToString } from '../pki/name.js';
import { HASH_BY_OID } from '../pki/signature.js';
import { parseCertificate } from '../pki/x509.js';
import type { CccdGroup, VerifiedRead } from '../read/types.js';
import { FILES } from '../reader/files.js';
import type { DgName } from '../verify/passive.js';
import { describeKey } from './keys.js';
import type { ChipProfile, FileProfile, SodProfile } from './profile-types.js';
import { securityInfoProfiles } from './security-infos.js';

const malformed = (e: unknown) => {
  if (e instanceof EmrtdError) return 'malformed';
  throw e;
};

export function cardAccessProfile(bytes: Uint8Array | undefined): ChipProfile['cardAccess'] {
  if (!bytes) return undefined;
  try {
    return { bytes: bytes.length, securityInfos: securityInfoProfiles(parseCardAccess(bytes), bytes) };
  } catch (e) {
    return { bytes: bytes.length, securityInfos: [], error: malformed(e) };
  }
}

export function filesProfile(read: VerifiedRead | undefined, groups: CccdGroup[]): FileProfile[] {
  return groups.map((file) => {
    const bytes = read?.raw[file];
    const missing = read?.missing.find((m) => m.file === file);
    if (!bytes) return { file, status: missing ? missing.reason : 'not-read' };
    const report = read.report.files.find((f) => f.file === FILES[file].name);
    const passive = file.startsWith('DG') ? read.verification.passive.dataGroups[file as DgName] : undefined;
    return {
      file,
      status: 'read',
      bytes: bytes.length,
      ...(report
        ? {
            apdus: report.apdus,
            retries: report.retries,
            resumes: report.resumes,
            blockSizes: [...new Set(report.blockSizes)].sort((a, b) => b - a),
          }
        : {}),
      ...(passive ? { passive } : {}),
    };
  });
}

export function sodProfile(read: VerifiedRead): SodProfile | undefined {
  const bytes = read.raw.SOD;
  if (!bytes) return undefined;
  const passive = read.verification.passive;
  try {
    const sod = parseSod(bytes);
    const lso = sod.ldsSecurityObject;
    const signer = sod.signedData.signerInfos[0];
    const out: SodProfile = {
      bytes: bytes.length,
      digestAlgorithm: HASH_BY_OID[lso.hashAlgorithm.oid] ?? lso.hashAlgorithm.oid,
      dataGroups: [...lso.dataGroupHashValues.keys()].sort((a, b) => a - b),
    };
    if (signer) {
      const name = passive.signature.algorithm;
      out.signatureAlgorithmOid = signer.signatureAlgorithm.oid;
      out.signatureAlgorithm = name && name !== 'unknown' ? name : signer.signatureAlgorithm.oid;
      out.signerDigestAlgorithm = HASH_BY_OID[signer.digestAlgorithm.oid] ?? signer.digestAlgorithm.oid;
    }
    if (lso.ldsVersionInfo) {
      out.ldsVersion = lso.ldsVersionInfo.ldsVersion;
      out.unicodeVersion = lso.ldsVersionInfo.unicodeVersion;
    }
    if (sod.documentSignerCertificate) {
      try {
        const cert = parseCertificate(sod.documentSignerCertificate, 'DS certificate');
        out.documentSigner = {
          issuer: nameToString(cert.issuer),
          key: describeKey(cert.spki),
          certificateSignatureAlgorithmOid: cert.signatureAlgorithm.oid,
        };
      } catch (e) {
        out.error = `DS certificate ${malformed(e)}`;
      }
    }
    return out;
  } catch (e) {
    return { bytes: bytes.length, dataGroups: [], error: malformed(e) };
  }
}

export function comProfile(bytes: Uint8Array | undefined): ChipProfile['com'] {
  if (!bytes) return undefined;
  try {
    const c = parseCom(bytes);
    return { ldsVersion: c.ldsVersion, unicodeVersion: c.unicodeVersion, dataGroups: c.dataGroups };
  } catch (e) {
    return { ldsVersion: '', unicodeVersion: '', dataGroups: [], error: malformed(e) };
  }
}

export function dg14Profile(bytes: Uint8Array | undefined): ChipProfile['dg14'] {
  if (!bytes) return undefined;
  try {
    const set = readRoot(bytes, 'DG14', 0x6e).value;
    return { securityInfos: securityInfoProfiles(parseDg14(bytes), set) };
  } catch (e) {
    return { securityInfos: [], error: malformed(e) };
  }
}

export function dg15Profile(bytes: Uint8Array | undefined): ChipProfile['dg15'] {
  if (!bytes) return undefined;
  try {
    return { key: describeKey(parseDg15(bytes)) };
  } catch (e) {
    return { error: malformed(e) };
  }
}
