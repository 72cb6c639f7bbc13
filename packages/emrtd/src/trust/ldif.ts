/**
 * LDIF (RFC 2849) as distributed by the ICAO PKD (icaopkd-001 DSCs and CRLs, icaopkd-002 master lists):
 * line folding, comments, base64 values (`attr:: …`, e.g. `userCertificate;binary::`), records separated by
 * blank lines. Only what a trust store needs is interpreted.
 */
import { utf8 } from '../codec/bytes.js';
import { EmrtdError, MalformedData } from '../errors.js';
import { base64Decode, type Certificate, parseCertificate } from '../pki/x509.js';
import { importMasterList, type MasterListImport, type MasterListImportOptions } from './master-list.js';
import type { TrustSink } from './sink.js';

const FILE = 'LDIF';

export interface LdifAttribute {
  /** Attribute description as written, e.g. 'userCertificate;binary'. */
  name: string;
  value: Uint8Array;
}

export interface LdifRecord {
  dn: string;
  attributes: LdifAttribute[];
}

const MAX_LINE_COUNT = 50_000_000;

/** Parses LDIF text into records. Malformed lines raise MalformedData('LDIF', line number). */
export function parseLdif(input: string | Uint8Array): LdifRecord[] {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_LINE_COUNT) throw new MalformedData(FILE, 0, 'too many lines');
  const records: LdifRecord[] = [];
  let current: LdifRecord | undefined;
  let logical: string | undefined;
  let logicalLine = 0;

  const flush = () => {
    if (logical === undefined) return;
    const line = logical;
    logical = undefined;
    if (line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedData(FILE, logicalLine, 'line without attribute name');
    const name = line.slice(0, colon);
    if (!/^[A-Za-z0-9][A-Za-z0-9;.\-_]*$/.test(name)) throw new MalformedData(FILE, logicalLine, 'bad attribute name');
    let value: Uint8Array;
    if (line[colon + 1] === ':') value = base64Decode(line.slice(colon + 2).trim(), FILE);
    else if (line[colon + 1] === '<')
      return; // URL references are not followed
    else value = utf8(line.slice(colon + 1).replace(/^ +/, ''));
    const lower = name.toLowerCase();
    if (!current) {
      if (lower === 'version') return;
      if (lower !== 'dn') throw new MalformedData(FILE, logicalLine, 'record does not start with dn');
      current = { dn: new TextDecoder().decode(value), attributes: [] };
      return;
    }
    current.attributes.push({ name, value });
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(' ') && logical !== undefined) {
      logical += line.slice(1);
      continue;
    }
    flush();
    if (line === '') {
      if (current) records.push(current);
      current = undefined;
      continue;
    }
    logical = line;
    logicalLine = i + 1;
  }
  flush();
  if (current) records.push(current);
  return records;
}

export interface LdifImport {
  records: number;
  /** CA certificates (basicConstraints cA) added as trust anchors. */
  cscas: number;
  /** Other certificates (DS), added as document signers, not anchors. */
  documentSigners: number;
  crls: number;
  masterLists: MasterListImport[];
  /** Values that could not be used (bad certificate, CRL or master list), counted by attribute. */
  rejected: number;
}

const CERT_ATTRS = new Set(['usercertificate;binary', 'usercertificate', 'cacertificate;binary', 'cacertificate']);
const CRL_ATTRS = new Set(['certificaterevocationlist;binary', 'certificaterevocationlist']);
const ML_ATTRS = new Set([
  'pkdmasterlistcontent',
  'pkdmasterlistcontent;binary',
  'cscamasterlistdata',
  'cscamasterlistdata;binary',
]);

function isCa(c: Certificate): boolean {
  return c.basicConstraints?.ca === true;
}

/**
 * Loads an ICAO PKD LDIF into the store: master lists (each verified, see importMasterList), CRLs, CA
 * certificates as anchors and DS certificates as document signers.
 */
export function importLdif(
  store: TrustSink,
  input: string | Uint8Array,
  options: { source?: string; masterList?: MasterListImportOptions } = {},
): LdifImport {
  const source = options.source ?? 'ldif';
  const records = parseLdif(input);
  const out: LdifImport = {
    records: records.length,
    cscas: 0,
    documentSigners: 0,
    crls: 0,
    masterLists: [],
    rejected: 0,
  };
  for (const record of records) {
    for (const { name, value } of record.attributes) {
      const lower = name.toLowerCase();
      try {
        if (CERT_ATTRS.has(lower)) {
          const cert = parseCertificate(value);
          if (isCa(cert)) {
            store.addParsed(cert, source);
            out.cscas++;
          } else {
            store.addDocumentSigner(value, source);
            out.documentSigners++;
          }
        } else if (CRL_ATTRS.has(lower)) {
          store.addCrl(value, source);
          out.crls++;
        } else if (ML_ATTRS.has(lower)) {
          out.masterLists.push(importMasterList(store, value, { source, ...options.masterList }));
        }
      } catch (e) {
        if (!(e instanceof EmrtdError)) throw e;
        out.rejected++;
      }
    }
  }
  return out;
}
