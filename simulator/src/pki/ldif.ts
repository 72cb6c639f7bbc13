/** ICAO PKD-style LDIF (as in the icaopkd-00x downloads) for trust-store tests: DSCs, CRLs and master lists. */
import { createHash } from 'node:crypto';
import { readTlv, readTlvs } from '@cccd/emrtd/codec';
import { certificateFields, serialOf } from './x509.js';

export type LdifEntry =
  | { kind: 'dsc'; certDer: Uint8Array; pkdVersion?: number }
  | { kind: 'crl'; crlDer: Uint8Array; pkdVersion?: number }
  | { kind: 'masterList'; cmsDer: Uint8Array; country: string; pkdVersion?: number };

const PKD_SUFFIX = 'dc=data,dc=download,dc=pkd,dc=icao,dc=int';
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
};

export function decodeOid(value: Uint8Array): string {
  const arcs: bigint[] = [];
  let acc = 0n;
  for (const b of value) {
    acc = (acc << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(acc);
      acc = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

const escapeDnValue = (v: string) => v.replace(/[,+"\\<>;=]/g, '\\$&').replace(/^[ #]| $/g, '\\$&');

/** RFC 4514 string of a DER Name: last RDN first. */
export function nameToString(nameDer: Uint8Array): string {
  const rdns = readTlvs(readTlv(nameDer, 0, 'name').value, 'name').map((rdn) =>
    readTlvs(rdn.value, 'name')
      .map((atv) => {
        const [type, value] = readTlvs(atv.value, 'name');
        if (!type || !value) throw new RangeError('nameToString: bad AttributeTypeAndValue');
        const oid = decodeOid(type.value);
        return `${ATTRIBUTE_NAMES[oid] ?? oid}=${escapeDnValue(new TextDecoder().decode(value.value))}`;
      })
      .join('+'),
  );
  return rdns.reverse().join(',');
}

function crlIssuer(crlDer: Uint8Array): Uint8Array {
  const [tbs] = readTlvs(readTlv(crlDer, 0, 'crl').value, 'crl');
  if (!tbs) throw new RangeError('crlIssuer: empty CRL');
  const parts = readTlvs(tbs.value, 'crl');
  const issuer = parts[parts[0]?.tag === 0x02 ? 2 : 1];
  if (!issuer) throw new RangeError('crlIssuer: truncated CRL');
  return tbs.value.subarray(issuer.offset, issuer.end);
}

function countryOf(dn: string): string {
  const m = /(?:^|,)C=([A-Z]{2,3})(?:,|$)/.exec(dn);
  if (!m?.[1]) throw new RangeError('LDIF entry: no country in the DN');
  return m[1];
}

/** LDIF folds lines longer than 76 characters with a leading space (RFC 2849). */
function fold(line: string): string {
  if (line.length <= 76) return line;
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`);
  return parts.join('\n');
}

const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');

function entryLines(entry: LdifEntry): string[] {
  const version = `pkdVersion: ${entry.pkdVersion ?? 1}`;
  if (entry.kind === 'dsc') {
    const fields = certificateFields(entry.certDer);
    const subject = nameToString(fields.subjectDer);
    const sn = serialOf(entry.certDer).toString(16).toUpperCase();
    return [
      `dn: cn=${escapeDnValue(subject)}+sn=${sn},o=dsc,c=${countryOf(nameToString(fields.issuerDer))},${PKD_SUFFIX}`,
      version,
      `sn: ${sn}`,
      `cn: ${subject}`,
      'objectClass: inetOrgPerson',
      'objectClass: pkdDownload',
      'objectClass: organizationalPerson',
      'objectClass: top',
      'objectClass: person',
      `userCertificate;binary:: ${b64(entry.certDer)}`,
    ];
  }
  if (entry.kind === 'crl') {
    const issuer = nameToString(crlIssuer(entry.crlDer));
    return [
      `dn: cn=${escapeDnValue(issuer)},o=crl,c=${countryOf(issuer)},${PKD_SUFFIX}`,
      version,
      `cn: ${issuer}`,
      'objectClass: top',
      'objectClass: cRLDistributionPoint',
      'objectClass: pkdDownload',
      `certificateRevocationList;binary:: ${b64(entry.crlDer)}`,
    ];
  }
  const cn = createHash('sha256').update(entry.cmsDer).digest('hex');
  return [
    `dn: cn=${cn},o=ml,c=${entry.country},${PKD_SUFFIX}`,
    version,
    'sn: 1',
    `cn: ${cn}`,
    'objectClass: top',
    'objectClass: person',
    'objectClass: pkdMasterList',
    'objectClass: pkdDownload',
    `pkdMasterListContent:: ${b64(entry.cmsDer)}`,
  ];
}

export function buildLdif(entries: LdifEntry[]): string {
  return `version: 1\n\n${entries.map((e) => `${entryLines(e).map(fold).join('\n')}\n`).join('\n')}`;
}
