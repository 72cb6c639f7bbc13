/**
 * The public surface of @cccd/emrtd, pinned: every name each entry point of package.json exports (values and
 * types), sorted. A new export, or one removed, fails here: growth of the API is a decision, made by editing this
 * list. Test helpers (src/testing, '@cccd/emrtd/testing' in this repo's tests) are not an entry point and not built.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const pkg = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, pkg), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
  exports: Record<string, { types: string; default: string }>;
  files: string[];
};

// biome-ignore format: one sorted list per entry point, as the compiler reports it
const PUBLIC: Record<string, string[]> = {
  '.': [
    'AccessDenied', 'AccessKey', 'AccessResult', 'ActiveAuthStatus', 'ActiveAuthVerdict',
    'ActiveAuthenticationReport', 'CCCD_DOCUMENT_FIELDS', 'Cancelled', 'CandidateInput', 'CandidateKey',
    'CandidateOptions', 'CardError', 'CardRemoved', 'CardSecurityVerdict', 'CardSession', 'CccdDocument', 'CccdGroup', 'CccdQr',
    'CccdReadResult', 'ChainLink', 'ChainRole', 'CheckDigitName', 'CheckDigitResult', 'ChipAuthStatus',
    'ChipAuthVerdict', 'ChipAuthenticationReport', 'CrossCheckIssue', 'DataGroupStatus', 'Dg1', 'Dg13', 'Dg2',
    'DgName', 'EMRTD_VERSION', 'EVIDENCE_FORMAT', 'EVIDENCE_VERSION', 'EmrtdError', 'EmrtdErrorOptions', 'ErrorCode',
    'EvaluationTime', 'EvidenceBundle', 'EvidenceError', 'FileNotFound', 'FileReadReport', 'LdifImport',
    'LdsFileName', 'LocalizedText', 'MalformedData', 'MasterListError', 'MasterListImport', 'MasterListImportOptions',
    'Mrz', 'MrzFormat', 'OverallStatus', 'PaceCamReport', 'ParsedLdsFile', 'PassivePolicy', 'PassiveStatus', 'PassiveVerdict',
    'REASON_CODES', 'RawFile', 'ReadCccdOptions', 'ReadProgress', 'ReadReport', 'Reason', 'ReasonCode', 'SecureMessagingError',
    'SecurityStatusNotSatisfied', 'SessionOptions', 'Severity', 'SignerSummary', 'StepFailure', 'TimePolicy',
    'Timeout', 'TransmitOptions', 'Transport', 'TransportCapabilities', 'TrustEntryInfo', 'TrustStore',
    'TrustStoreError', 'UnsupportedAlgorithm', 'Verdict', 'VerificationCache', 'VerificationCacheOptions',
    'VerificationCacheStats', 'VerifiedRead', 'VerifiedReadOptions', 'VerifyEvidenceOptions', 'canKey', 'candidateKeys', 'createEvidence', 'keyFromCccd', 'keyFromMrzText', 'mrzKey',
    'openSession', 'overallVerdict', 'parseCccdQr', 'parseDg1', 'parseDg13', 'parseDg2', 'parseEvidence',
    'parseLdsFile', 'readCccd', 'readVerified', 'serializeEvidence', 'swHex', 'toCccdDocument', 'verifyEvidence',
    'verifyPassive', 'verifyRead',
  ],
  './codec': [
    'CccdLaw', 'ChipAuthenticationProtocol', 'CipherName', 'DhDomainParameters', 'DhGroupName', 'DomainParameters',
    'EcCurve', 'EcCurveName', 'EcDomainParameters', 'EcPoint', 'EfCom', 'ExpiryGuess', 'HASHES', 'HASH_LENGTH', 'HashName',
    'KDF_ENC', 'KDF_MAC', 'KDF_PI', 'KeyAgreement', 'MILESTONES', 'OID', 'PaceMapping', 'PaceProtocol',
    'SecurityInfos', 'SmCipher', 'Sod', 'SubjectPublicKeyInfo', 'Tlv', 'adjustParity', 'aesCbc', 'aesCmac', 'aesEcb',
    'algorithmIdentifier', 'bigToBytes', 'bitString', 'boolean', 'bytesToBig', 'caOid', 'cccdExpiry',
    'checkDhElement', 'checkDigit', 'compareBytes', 'concat', 'decodeDhElement', 'decodeEcPoint', 'desEcb',
    'dhExponent', 'dhPublicKey', 'dhSharedSecret', 'digest', 'directoryString', 'domainParameters',
    'ecParametersByName', 'ecPublicKey', 'ecScalar', 'ecdhSharedPoint', 'ecdhSharedSecret', 'encodeDhElement',
    'encodeEcPoint', 'encodeLength', 'encodeTag', 'enumerated', 'equal', 'explicit', 'findTlv', 'fromHex', 'fromUtf8',
    'generalizedTime', 'hex', 'ia5String', 'implicitPrimitive', 'integer', 'integerFromBytes', 'isConstructed',
    'isPrintable', 'isStandardizedDomainParameterId', 'kdf', 'maxBlockForResponse', 'modPow', 'nullValue',
    'objectIdentifier', 'octetString', 'oidContent', 'oidFromContent', 'paceOid', 'pad', 'parseCaOid',
    'parseCardAccess', 'parseCom', 'parseDg14', 'parseDg15', 'parsePaceOid', 'parseSod', 'pemBlocks',
    'printableString', 'randomDhPrivateKey', 'randomEcPrivateKey', 'readTlv', 'readTlvs', 'requireTlv', 'retag',
    'retailMac', 'sequence', 'set', 'setOf', 'tdesCbc', 'time', 'tlv', 'toPem', 'u16', 'u32', 'unpad', 'utcTime',
    'utf8', 'utf8String', 'xor',
  ],
  './node': [
    'LoadOptions', 'LoadedFile', 'TrustPathError', 'TrustPathProblem', 'loadTrustFiles', 'loadTrustPath',
    'trustStoreFromFiles',
  ],
  './diagnose': [
    'AccessProfile', 'ActiveAuthenticationProfile', 'ApduTraceEntry', 'AtrProfile', 'CHIP_PROFILE_FORMAT',
    'CHIP_PROFILE_VERSION', 'CardCapabilities', 'ChipAuthenticationProfile', 'ChipProfile', 'DIAGNOSE_GROUPS',
    'DiagnoseOptions', 'EndOfFileBehaviour', 'ExchangeProfile', 'FileProfile', 'KeyProfile', 'ProbeAnswer',
    'ProbeResult', 'ReadBinaryProfile', 'RefusalProfile', 'SecurityInfoProfile', 'SodProfile', 'StepFailureProfile',
    'TraceOptions', 'TracePhase', 'TracingTransport', 'analyseReadBinary', 'buildChipProfile', 'commandName',
    'commandShape', 'describeKey', 'diagnoseChip', 'parseAtr',
  ],
  './jpeg2000': [
    'DecodedImage', 'JPEG2000_LIMITS', 'Jpeg2000Component', 'Jpeg2000Header', 'Jpeg2000Limits', 'Jpeg2000Options',
    'Jpeg2000Unsupported', 'Jpeg2000UnsupportedReason', 'PngImage', 'decodeJpeg2000', 'encodePng', 'jpeg2000ToPng',
    'readJpeg2000Header',
  ],
};

/** The source file behind an entry point: dist/x/y.js is built from src/x/y.ts. */
const sourceOf = (entry: string) =>
  new URL(manifest.exports[entry]!.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'), pkg).pathname;

function exportedNames(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  return new Map(
    files.map((f) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(f)!)!;
      return [
        f,
        checker
          .getExportsOfModule(module)
          .map((s) => s.name)
          .sort(),
      ];
    }),
  );
}

describe('the public surface of @cccd/emrtd', () => {
  it('package.json publishes exactly these entry points, and no test helpers', () => {
    expect(Object.keys(manifest.exports).sort()).toEqual(Object.keys(PUBLIC).sort());
    expect(manifest.files).toContain('!dist/**/*.test.*');
    const tsconfig = read('tsconfig.json');
    for (const excluded of ['src/**/*.test.ts', 'src/**/testing/**']) expect(tsconfig).toContain(`"${excluded}"`);
  });

  it('each entry point exports the pinned names', () => {
    const entries = Object.keys(PUBLIC);
    const names = exportedNames(entries.map(sourceOf));
    for (const entry of entries)
      expect({ entry, names: names.get(sourceOf(entry)) }).toEqual({ entry, names: PUBLIC[entry] });
  }, 60_000);
});
