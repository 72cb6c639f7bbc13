/**
 * The evidence bundle obeys the field policy: a raw data group releases every value in it, so it goes into the bundle
 * only when the read released every field it carries (DATA_GROUP_FIELDS). The rest is listed, signed, in
 * `evidenceWithheld`, and a backend still re-verifies the SOD and the data groups that are present.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CCCD_FIELDS,
  type CccdField,
  DATA_GROUP_FIELDS,
  type ReadResult,
  readResultSchema,
  verifyAgentSig,
} from '@cccd/client';
import { createEvidence, TrustStore, verifyEvidence } from '@cccd/emrtd';
import { PROFILES_DIR } from '@cccd/simulator';
import { describe, expect, it } from 'vitest';
import { releasableEvidence, withholdingOf } from './evidence.js';
import type { AgentHandle } from './server.js';
import { authedClient, BANK, CITIZEN, readParams, startTestAgent, usePrivacyNet } from './test-support/harness.js';

usePrivacyNet();

const ALL = [...CCCD_FIELDS];
const DG1_FIELDS = [...DATA_GROUP_FIELDS.DG1];
const KYC = 'bank-kyc';

/** Every field allowed with evidence for the bank; sensitive fields need a consent reference (the default). */
const startBank = () =>
  startTestAgent({ policy: [{ origin: BANK, purpose: KYC, fields: ALL, evidence: true }], simulation: { readers: 1 } });

async function readWithEvidence(agent: AgentHandle, fields: CccdField[], consentRef?: string) {
  const a = await authedClient(agent, { origin: BANK, purpose: KYC, fields }, { origin: BANK });
  const r = await a.client.request(
    'read.start',
    readParams(a.nonce, { purpose: KYC, fields, includeEvidence: true, ...(consentRef ? { consentRef } : {}) }),
  );
  expect(r.error).toBeUndefined();
  return { result: readResultSchema.parse(r.result), nonce: a.nonce };
}

const groupsOf = (r: ReadResult) => Object.keys(r.evidence?.dataGroups ?? {}).sort();
const withheldOf = (r: ReadResult) => r.evidenceWithheld?.map((w) => [w.group, w.reason, [...w.fields].sort()]);
const others = (fields: readonly CccdField[], released: readonly CccdField[]) =>
  fields.filter((f) => !released.includes(f)).sort();

function simulatorTrust(agent: AgentHandle): TrustStore {
  const store = new TrustStore();
  store.addCertificate(agent.simulatedReaders[0]!.image.pki!.cscaCertDer, 'simulator test CSCA');
  return store;
}

/** Every data group's bytes in the bundle, decoded: what a backend could read out of it. */
function bundleBytes(r: ReadResult): Buffer {
  return Buffer.concat(Object.values(r.evidence?.dataGroups ?? {}).map((b) => Buffer.from(b, 'base64')));
}

describe('evidence bundle and the field policy', () => {
  it('idNumber only: neither DG1 nor DG13 goes, the withheld groups are signed, the rest still re-verifies', async () => {
    const agent = await startBank();
    const { result, nonce } = await readWithEvidence(agent, ['idNumber']);
    expect(Object.keys(result.fields)).toEqual(['idNumber']);
    expect(groupsOf(result)).toEqual(['DG14', 'DG15']);
    expect(withheldOf(result)).toEqual([
      ['DG1', 'fields-not-released', others(DG1_FIELDS, ['idNumber'])],
      ['DG13', 'fields-not-released', others(DATA_GROUP_FIELDS.DG13, ['idNumber'])],
    ]);
    // Not one unreleased value is in the bundle, in DG13's form (UTF-8, dd/mm/yyyy) or the MRZ's (YYMMDD).
    const bytes = bundleBytes(result);
    for (const value of [CITIZEN.fullName, CITIZEN.religion!, CITIZEN.fatherName!, CITIZEN.placeOfResidence])
      expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('15/08/1990'))).toBe(false);
    expect(bytes.includes(Buffer.from('900815'))).toBe(false);
    // The list of withheld groups is inside the signed payload.
    expect(await verifyAgentSig(result, { origin: BANK, nonce })).toBe(true);
    const hidden = { ...result, evidenceWithheld: [] };
    expect(await verifyAgentSig(hidden, { origin: BANK, nonce })).toBe(false);
    // The backend re-runs PA on the partial bundle: SOD signature, chain, DG14/DG15 hashes, AA.
    const verdict = verifyEvidence(JSON.stringify(result.evidence), simulatorTrust(agent));
    expect(verdict.passive.status).toBe('valid');
    expect(verdict.passive.dataGroups).toMatchObject({ DG1: 'not-read', DG13: 'not-read', DG14: 'match' });
    expect(verdict.active?.status).toBe('valid');
    expect(verdict.overall).toBe('authentic');
  });

  it('DG1 goes once every MRZ field is released; DG13 still stays out', async () => {
    const agent = await startBank();
    const { result } = await readWithEvidence(agent, DG1_FIELDS);
    expect(groupsOf(result)).toEqual(['DG1', 'DG14', 'DG15']);
    expect(withheldOf(result)).toEqual([['DG13', 'fields-not-released', others(DATA_GROUP_FIELDS.DG13, DG1_FIELDS)]]);
    const verdict = verifyEvidence(JSON.stringify(result.evidence), simulatorTrust(agent));
    expect(verdict.passive.dataGroups.DG1).toBe('match');
    expect(verdict.passive.reasons.map((r) => r.code)).not.toContain('country-not-checked');
  });

  it('DG2 carries the ISO 19794-5 gender: the photo alone does not release it, photo and sex do', async () => {
    const agent = await startBank();
    const photoOnly = (await readWithEvidence(agent, ['idNumber', 'photo'], 'consent-1')).result;
    expect(photoOnly.photo).toBeDefined();
    expect(groupsOf(photoOnly)).not.toContain('DG2');
    expect(withheldOf(photoOnly)).toContainEqual(['DG2', 'fields-not-released', ['sex']]);
    const withSex = (await readWithEvidence(agent, ['idNumber', 'sex', 'photo'], 'consent-2')).result;
    expect(groupsOf(withSex)).toContain('DG2');
    expect(withSex.evidenceWithheld?.map((w) => w.group)).not.toContain('DG2');
  });

  it('every field, with consent: the whole bundle, nothing withheld', async () => {
    const agent = await startBank();
    const { result } = await readWithEvidence(agent, ALL, 'consent-3');
    expect(groupsOf(result)).toEqual(['DG1', 'DG13', 'DG14', 'DG15', 'DG2']);
    expect(result.evidenceWithheld).toEqual([]);
    // The byte search of the first test finds these values when their groups do go (it is not vacuous).
    const bytes = bundleBytes(result);
    for (const value of [CITIZEN.fullName, CITIZEN.religion!, '15/08/1990', '900815'])
      expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(true);
    expect(verifyEvidence(JSON.stringify(result.evidence), simulatorTrust(agent)).passive.status).toBe('valid');
  });
});

describe('evidence of a chip that refuses a proof', () => {
  it('CA refused (6A86): the refusal record is in the bundle and the result passes the strict client schema', async () => {
    const agent = await startTestAgent({
      policy: [{ origin: BANK, purpose: KYC, fields: ALL, evidence: true }],
      simulation: { faults: ['sw=22:6A86:2'] },
    });
    const { result } = await readWithEvidence(agent, ['idNumber']);
    expect(result.evidence?.chipAuthentication).toMatchObject({ succeeded: false, refusedSw: 0x6a86 });
    expect(verifyEvidence(JSON.stringify(result.evidence), simulatorTrust(agent)).chip?.status).toBe('refused');
  });
});

describe('evidence of a PACE-CAM chip', () => {
  it('the CAM verdict and the bundle with EF.CardSecurity pass the strict client schema and re-verify', async () => {
    // pace-cam shapes the card's files, so it goes in through the profile (personalisation), not simulation.chip.
    const dir = mkdtempSync(join(tmpdir(), 'cccd-cam-'));
    const profile = JSON.parse(readFileSync(join(PROFILES_DIR, 'cccd-2021-adult.json'), 'utf8'));
    writeFileSync(join(dir, 'cam.json'), JSON.stringify({ ...profile, chip: ['pace-cam=present'] }));
    try {
      const agent = await startTestAgent({
        policy: [{ origin: BANK, purpose: KYC, fields: ALL, evidence: true }],
        simulation: { profile: join(dir, 'cam.json') },
      });
      const { result } = await readWithEvidence(agent, ['idNumber']);
      expect(result.verification?.chip.status).toBe('valid');
      expect(result.verification?.chip.reasons?.map((r) => r.code)).toEqual(['cam-verified']);
      expect(result.evidence?.paceCam).toMatchObject({ result: 'match' });
      expect(result.evidence?.cardSecurity).toBeDefined();
      const backend = verifyEvidence(JSON.stringify(result.evidence), simulatorTrust(agent));
      expect(backend.chip).toMatchObject({ status: 'valid', method: 'pace-cam' });
      expect(backend.overall).toBe('authentic');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('withholding rule (unit)', () => {
  const bytes = new Uint8Array([1]);
  const bundle = createEvidence({
    sod: new Uint8Array([0x77, 0]),
    dataGroups: { DG15: bytes, DG13: bytes, DG11: bytes, DG1: bytes, DG14: bytes },
  });

  it('public keys always go; a group no field name covers never does; the rest needs all its fields', () => {
    const released = new Set<CccdField>(DG1_FIELDS);
    expect(withholdingOf('DG14', new Set())).toBeUndefined();
    expect(withholdingOf('DG15', new Set())).toBeUndefined();
    expect(withholdingOf('DG1', released)).toBeUndefined();
    expect(withholdingOf('DG11', new Set(ALL))).toEqual({ group: 'DG11', reason: 'no-field-name', fields: [] });
    expect(withholdingOf('DG13', new Set(ALL.filter((f) => f !== 'spouseName')))).toEqual({
      group: 'DG13',
      reason: 'fields-not-released',
      fields: ['spouseName'],
    });
    const { bundle: out, withheld } = releasableEvidence(bundle, DG1_FIELDS);
    expect(Object.keys(out.dataGroups).sort()).toEqual(['DG1', 'DG14', 'DG15']);
    expect(withheld.map((w) => w.group)).toEqual(['DG11', 'DG13']);
    expect(out.sod).toBe(bundle.sod);
    expect(Object.keys(bundle.dataGroups)).toHaveLength(5);
  });
});
