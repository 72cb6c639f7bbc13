/**
 * cccd-agent.v1: JSON-RPC 2.0 over one WebSocket (subprotocol `cccd-agent.v1`, path `/v1`). Every schema is
 * strict (unknown keys rejected, as Web eID does) so the agent and the SDK share one definition of valid.
 * Dates on the wire are ISO `YYYY-MM-DD`; pages format them (dd/mm/yyyy for BHXH) themselves.
 */
import { z } from 'zod';
import { chipProfileSchema } from './chip-profile.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';

export const PROTOCOL = 'cccd-agent.v1';
export const WS_PATH = '/v1';
/** The port the kiosk agent listens on unless its config says otherwise (`port`, CCCD_AGENT_PORT, `--port`). */
export const DEFAULT_AGENT_PORT = 31500;
/** The agent's WebSocket endpoint on this computer at the default port: what `connect()` takes. */
export const DEFAULT_AGENT_URL = `ws://127.0.0.1:${DEFAULT_AGENT_PORT}${WS_PATH}`;
/**
 * Inbound frame cap on the agent (docs/reference/kiosk-agent.md §5): requests are small, only results carry
 * photos.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const TICKET_MAX_LIFETIME_S = 300;
export const READ_TIMEOUT_DEFAULT_MS = 60_000;
export const READ_TIMEOUT_MAX_MS = 120_000;

/** The CCCD view (emrtd `CccdDocument`) field names a client may request; `photo` is DG2. */
export const CCCD_FIELDS = [
  'idNumber',
  'oldIdNumber',
  'fullName',
  'dateOfBirth',
  'sex',
  'nationality',
  'ethnicity',
  'religion',
  'placeOfOrigin',
  'placeOfResidence',
  'identifyingMarks',
  'dateOfIssue',
  'dateOfExpiry',
  'fatherName',
  'motherName',
  'spouseName',
  'photo',
] as const;
export type CccdField = (typeof CCCD_FIELDS)[number];
/** Off unless both the origin's policy and the request ask (PDP Law 91/2025: sensitive data). */
export const DEFAULT_DENY_FIELDS: readonly CccdField[] = ['photo', 'ethnicity', 'religion', 'fatherName', 'motherName'];

/**
 * The fields each personal data group of a CCCD carries (docs/agent-protocol.md, "Evidence and the field policy").
 * A raw data group in the evidence bundle discloses every value in it, so the agent includes one only when the read
 * released every field listed here. DG1 is the TD1 MRZ (the document number is ID digits 4–12, the optional data
 * the whole ID; docs/reference/vn-cccd.md §4). DG2 is the face image with its ISO 19794-5 header, whose gender byte
 * is `sex` (eye and hair colour have no field name: the image shows them anyway). DG13 holds every field but the
 * photo, plus field 16 and any unknown field, which no field name can release: they go with the whole of DG13.
 * DG14, DG15 (public keys) and EF.SOD carry no field and are always included.
 */
export const DATA_GROUP_FIELDS = {
  DG1: ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'dateOfExpiry', 'nationality'],
  DG2: ['photo', 'sex'],
  DG13: CCCD_FIELDS.filter((f): f is Exclude<CccdField, 'photo'> => f !== 'photo'),
} as const satisfies Record<string, readonly CccdField[]>;
/** Data groups without personal data: in every evidence bundle. */
export const PUBLIC_DATA_GROUPS: readonly string[] = ['DG14', 'DG15'];

export const READ_STAGES = [
  'queued',
  'waiting-card',
  'access-control',
  'sod',
  'dg1',
  'dg2',
  'dg13',
  'dg14',
  'dg15',
  'chip-auth',
  'active-auth',
  'verifying',
  'done',
] as const;
export type ReadStage = (typeof READ_STAGES)[number];

// ---------- primitives ----------

const isoDate = z.iso.date();
const dateInput = z.union([isoDate, z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/)]);
const b64 = z.base64().max(4 * 1024 * 1024);
const shortText = z.string().max(500);
/**
 * A pairing client's label, shown to the operator on the agent's /admin page: not blank, and without controls or
 * format characters (bidi overrides and isolates, zero-width characters, BOM), surrogates, private-use or
 * unassigned code points, or line/paragraph separators, which let one name pass for another. The length bound is
 * loose (NFD input is longer): the agent normalises to NFC and allows 64 characters (kiosk-agent/src/pairing.ts).
 */
export const clientNameSchema = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => s.trim().length > 0, 'blank')
  .refine((s) => !/[\p{C}\p{Zl}\p{Zp}]/u.test(s), 'control or format character');
export const rpcIdSchema = z.union([z.string().min(1).max(64), z.int().min(0).max(Number.MAX_SAFE_INTEGER)]);
export const fieldSchema = z.enum(CCCD_FIELDS);
/** Unique, non-empty list of requested fields. */
export const fieldListSchema = z
  .array(fieldSchema)
  .min(1)
  .max(CCCD_FIELDS.length)
  .refine((a) => new Set(a).size === a.length, 'duplicate field');
/** A purpose label recorded in the audit trail, e.g. 'clinic-checkin', 'bank-kyc', 'commune-form'. */
export const purposeSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);
/** ≥ 128-bit random value, base64url (Web eID asks for ≥ 256 bits; 22+ chars here). */
export const nonceSchema = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/);

// ---------- JSON-RPC envelopes ----------

export const errorDataSchema = z.strictObject({
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  retriable: z.boolean(),
  messageKey: z.string().min(1).max(64),
  details: z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()])).optional(),
});

export const requestSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: rpcIdSchema,
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export const notificationSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export const successSchema = z.strictObject({ jsonrpc: z.literal('2.0'), id: rpcIdSchema, result: z.unknown() });
export const errorObjectSchema = z.strictObject({
  code: z.int(),
  message: z.string().max(512),
  data: errorDataSchema.optional(),
});
export const errorResponseSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([rpcIdSchema, z.null()]),
  error: errorObjectSchema,
});
/** Anything the agent may send: a response to one of our requests or a notification. */
export const serverMessageSchema = z.union([successSchema, errorResponseSchema, notificationSchema]);
/** Anything a client may send. */
export const clientMessageSchema = z.union([requestSchema, notificationSchema]);

// ---------- access keys ----------

/** CAN: on CCCD the last 6 digits of the 12-digit ID (docs/reference/vn-cccd.md §3.2). */
const canKeySchema = z.strictObject({ can: z.string().regex(/^\d{6}$/) });
/** BAC from the card data; dateOfExpiry null = card without expiry (MRZ 991231). */
const cardDataKeySchema = z.strictObject({
  idNumber: z.string().regex(/^\d{12}$/),
  dateOfBirth: dateInput,
  dateOfExpiry: dateInput.nullable(),
});
/** TD1 MRZ text (3 × 30 characters, line breaks optional). */
const mrzKeySchema = z.strictObject({ mrz: z.string().regex(/^[A-Z0-9<\r\n]{90,96}$/) });

export const accessKeySchema = z.union([
  canKeySchema,
  cardDataKeySchema,
  mrzKeySchema,
  /** The agent waits for the HID QR scanner; the scan starts the read. */
  z.strictObject({ fromQrScanner: z.literal(true) }),
]);
/** An access key typed in (no QR scanner wait). */
export const typedAccessKeySchema = z.union([canKeySchema, cardDataKeySchema, mrzKeySchema]);
export type AccessKeyParam = z.infer<typeof accessKeySchema>;

// ---------- read result ----------

export const cccdFieldsSchema = z.strictObject({
  idNumber: z
    .string()
    .regex(/^\d{12}$/)
    .nullable()
    .optional(),
  oldIdNumber: z
    .string()
    .regex(/^\d{9}$/)
    .nullable()
    .optional(),
  fullName: shortText.nullable().optional(),
  dateOfBirth: isoDate.nullable().optional(),
  sex: z.enum(['M', 'F']).nullable().optional(),
  nationality: shortText.nullable().optional(),
  ethnicity: shortText.nullable().optional(),
  religion: shortText.nullable().optional(),
  placeOfOrigin: shortText.nullable().optional(),
  placeOfResidence: shortText.nullable().optional(),
  identifyingMarks: shortText.nullable().optional(),
  dateOfIssue: isoDate.nullable().optional(),
  /** 'none' when the card states it does not expire ('Không thời hạn'); null when unreadable. */
  dateOfExpiry: z
    .union([isoDate, z.literal('none')])
    .nullable()
    .optional(),
  fatherName: shortText.nullable().optional(),
  motherName: shortText.nullable().optional(),
  spouseName: shortText.nullable().optional(),
});
export type CccdFields = z.infer<typeof cccdFieldsSchema>;

const reasonSchema = z.strictObject({
  code: z.string().min(1).max(64),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.strictObject({ vi: z.string().max(1024), en: z.string().max(1024) }),
});
export type VerificationReason = z.infer<typeof reasonSchema>;
const dgNameSchema = z.string().regex(/^DG([1-9]|1[0-6])$/);
/** An ISO 7816 error status word (6XXX), as the evidence records a refused CA or AA. */
const statusWordSchema = z.int().min(0x6000).max(0x6fff);

export const verificationSchema = z.strictObject({
  /** authentic: PA + CA/AA; genuine-data: PA only (a clone is possible); invalid; unknown-csca; not-checked. */
  overall: z.enum(['authentic', 'genuine-data', 'invalid', 'unknown-csca', 'not-checked']),
  passive: z.strictObject({
    status: z.enum(['valid', 'invalid', 'unknown-csca', 'not-checked']),
    dataGroups: z.record(dgNameSchema, z.enum(['match', 'mismatch', 'missing', 'not-read'])),
    reasons: z.array(reasonSchema).max(64),
  }),
  /** refused: the chip declined CA/AA before any proof — a warning, never a failure (docs/verification.md). */
  chip: z.strictObject({
    status: z.enum(['valid', 'invalid', 'refused', 'not-checked']),
    reasons: z.array(reasonSchema).max(16).optional(),
  }),
  active: z.strictObject({
    status: z.enum(['valid', 'invalid', 'refused', 'not-checked']),
    reasons: z.array(reasonSchema).max(16).optional(),
  }),
  /** Reasons about the combination (e.g. CA/AA not counted because PA is not valid). */
  reasons: z.array(reasonSchema).max(16).optional(),
});
export type Verification = z.infer<typeof verificationSchema>;

/** emrtd `serializeEvidence` output: the backend re-runs every check with `verifyEvidence(JSON.stringify(e))`. */
export const evidenceSchema = z.strictObject({
  format: z.literal('cccd-evidence'),
  version: z.literal(1),
  createdAt: z.iso.datetime(),
  sod: b64,
  dataGroups: z.record(dgNameSchema, b64),
  dsCertificate: b64.optional(),
  activeAuthentication: z.strictObject({ challenge: b64, response: b64 }).optional(),
  chipAuthentication: z
    .strictObject({
      succeeded: z.boolean(),
      protocol: z.string().max(64).optional(),
      keyId: z.int().min(0).optional(),
      ephemeralPublicKey: b64.optional(),
      /** The chip declined CA with this status word before any proof (emrtd ChipAuthenticationTranscript). */
      refusedSw: statusWordSchema.optional(),
    })
    .optional(),
  /** The chip answered INTERNAL AUTHENTICATE with this error status word. */
  activeAuthenticationRefused: z.strictObject({ sw: statusWordSchema }).optional(),
  /** EF.CardSecurity as read after PACE-CAM (keys and the DS certificate, no personal data). */
  cardSecurity: b64.optional(),
  /** The reader's PACE-CAM outcome (emrtd PaceCamTranscript): re-checked against cardSecurity's signature. */
  paceCam: z
    .strictObject({
      result: z.enum(['match', 'mismatch', 'not-checked']),
      notChecked: z
        .string()
        .regex(/^[a-z-]{1,40}$/)
        .optional(),
      protocol: z.string().max(64).optional(),
    })
    .optional(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/**
 * A data group the agent read but left out of the evidence bundle. `fields-not-released`: it carries `fields` that
 * this read did not release (DATA_GROUP_FIELDS); `no-field-name`: no field name covers its content at all.
 */
export const withheldGroupSchema = z.strictObject({
  group: dgNameSchema,
  reason: z.enum(['fields-not-released', 'no-field-name']),
  fields: z.array(fieldSchema).max(CCCD_FIELDS.length),
});
export type WithheldGroup = z.infer<typeof withheldGroupSchema>;

/**
 * The agent's device-key signature (see signature.ts). Ed25519 (the agent's default) or ES256 = ECDSA P-256 with
 * SHA-256, signature as IEEE P1363 r‖s (WebCrypto's format). Key as SPKI DER, base64.
 */
export const agentSigSchema = z.strictObject({
  alg: z.enum(['Ed25519', 'ES256']),
  publicKey: b64,
  signature: b64,
});
export type AgentSig = z.infer<typeof agentSigSchema>;

/**
 * A JPEG 2000 portrait as PNG, which every browser shows (they do not show JPEG 2000). Dimensions of the image;
 * the agent decodes with @cccd/emrtd/jpeg2000.
 */
export const photoDisplaySchema = z.strictObject({
  mime: z.literal('image/png'),
  b64,
  width: z.int().min(1).max(65535),
  height: z.int().min(1).max(65535),
});
export type PhotoDisplay = z.infer<typeof photoDisplaySchema>;

/**
 * The DG2 portrait as the chip stores it (`mime`, `b64`: the bytes the evidence hashes cover), a JPEG, a JP2 file or
 * a raw JPEG 2000 codestream (ISO 19794-5 image data type 1 allows both). `display`: with a JPEG 2000 portrait, the
 * same picture as PNG for a page to show; absent for a JPEG (show `b64` itself) and when the image did not decode.
 */
export const photoSchema = z.strictObject({
  mime: z.enum(['image/jpeg', 'image/jp2', 'image/j2k']),
  b64,
  display: photoDisplaySchema.optional(),
});
export type Photo = z.infer<typeof photoSchema>;

export const readResultSchema = z.strictObject({
  readId: z.string().min(1).max(64),
  fields: cccdFieldsSchema,
  photo: photoSchema.optional(),
  verification: verificationSchema,
  /**
   * True when the card was read on a simulated reader (invented data, a test CSCA): never a real card. Always
   * present and covered by agentSig, so a backend cannot miss it.
   */
  simulated: z.boolean(),
  evidence: evidenceSchema.optional(),
  /** With `evidence`: the data groups read but left out of it, and why (an empty list when none). */
  evidenceWithheld: z.array(withheldGroupSchema).max(16).optional(),
  agentSig: agentSigSchema,
});
export type ReadResult = z.infer<typeof readResultSchema>;
export type UnsignedReadResult = Omit<ReadResult, 'agentSig'>;

// ---------- methods ----------

const empty = z.strictObject({}).optional();

export const readerSchema = z.strictObject({
  readerId: z.string().min(1).max(64),
  name: z.string().max(256),
  kind: z.enum(['pcsc', 'simulated']),
  cardPresent: z.boolean(),
});
export type ReaderInfo = z.infer<typeof readerSchema>;

export const readStartParamsSchema = z.strictObject({
  readerId: z.string().min(1).max(64).optional(),
  accessKey: accessKeySchema,
  fields: fieldListSchema,
  purpose: purposeSchema,
  nonce: nonceSchema,
  /** Reference to the consent the HIS/bank recorded; required by policy for sensitive fields. */
  consentRef: z.string().min(1).max(128).optional(),
  includeEvidence: z.boolean().optional(),
  timeoutMs: z.int().min(1000).max(READ_TIMEOUT_MAX_MS).optional(),
});
export type ReadStartParams = z.infer<typeof readStartParamsSchema>;

/**
 * Administrators only: the session must be authenticated (ticket or pairing) AND carry the agent's admin token.
 * `timeoutMs` bounds the wait for the card; the diagnosis itself is bounded by DIAGNOSE_TIMEOUT_MS.
 */
export const adminDiagnoseParamsSchema = z.strictObject({
  adminToken: z.string().min(24).max(200),
  readerId: z.string().min(1).max(64).optional(),
  accessKey: typedAccessKeySchema,
  timeoutMs: z.int().min(1000).max(READ_TIMEOUT_MAX_MS).optional(),
  /** Probe end-of-file answers, SFI reads and the extended-length cap (default true). */
  probes: z.boolean().optional(),
});
export type AdminDiagnoseParams = z.infer<typeof adminDiagnoseParamsSchema>;

export const METHODS = {
  /** Works before authentication; after it adds agentId and capabilities (no fingerprinting before auth). */
  'agent.getInfo': {
    params: empty,
    result: z.strictObject({
      protocol: z.literal(PROTOCOL),
      agentVersion: z.string().max(32),
      agentId: z.string().max(64).optional(),
      capabilities: z
        .strictObject({ pace: z.boolean(), chipAuth: z.boolean(), activeAuth: z.boolean(), photo: z.boolean() })
        .optional(),
    }),
  },
  'session.authenticate': {
    params: z.union([
      z.strictObject({ ticket: z.string().min(16).max(8192) }),
      /** Paired client: Ed25519 or ES256 signature (b64) over pairAuthMessage(challenge from agent.hello). */
      z.strictObject({ clientId: z.string().min(1).max(64), signature: b64 }),
    ]),
    result: z.strictObject({
      sessionId: z.string().min(1).max(64),
      expiresAt: z.iso.datetime(),
      allowedFields: z.array(fieldSchema).max(CCCD_FIELDS.length),
      purpose: purposeSchema.optional(),
    }),
  },
  'readers.list': {
    params: empty,
    result: z.strictObject({ readers: z.array(readerSchema).max(64) }),
  },
  'read.start': { params: readStartParamsSchema, result: readResultSchema },
  /** requestId = the JSON-RPC id of the read.start request; that request then fails with ERR_CANCELLED. */
  'read.cancel': {
    params: z.strictObject({ requestId: rpcIdSchema }),
    result: z.strictObject({ cancelled: z.boolean() }),
  },
  'agent.ping': { params: empty, result: z.strictObject({ t: z.number() }) },
  'pair.begin': {
    params: z.strictObject({ clientName: clientNameSchema, publicKey: b64 }),
    result: z.strictObject({
      clientId: z.string().min(1).max(64),
      code: z.string().regex(/^\d{6}$/),
      expiresAt: z.iso.datetime(),
    }),
  },
  'pair.status': {
    params: z.strictObject({ clientId: z.string().min(1).max(64) }),
    result: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected', 'expired']) }),
  },
  /** The chip profile of the card on a reader (no personal data); see adminDiagnoseParamsSchema for who may ask. */
  'admin.diagnose': { params: adminDiagnoseParamsSchema, result: chipProfileSchema },
} as const;
export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
/** Methods that work before session.authenticate succeeds (pair.* is how desktop clients get a credential). */
export const UNAUTHENTICATED_METHODS: readonly MethodName[] = [
  'agent.getInfo',
  'session.authenticate',
  'pair.begin',
  'pair.status',
];

// ---------- notifications (agent → client) ----------

const readerIdOnly = z.strictObject({ readerId: z.string().min(1).max(64) });

export const NOTIFICATIONS = {
  /** First message on every connection. `challenge` is what a paired client signs. */
  'agent.hello': z.strictObject({
    protocol: z.literal(PROTOCOL),
    agentVersion: z.string().max(32),
    challenge: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/),
  }),
  'agent.status': z.strictObject({ pcsc: z.enum(['up', 'down', 'disabled']), simulated: z.boolean().optional() }),
  'reader.attached': z.strictObject({
    readerId: z.string().min(1).max(64),
    name: z.string().max(256),
    kind: z.enum(['pcsc', 'simulated']),
  }),
  'reader.detached': readerIdOnly,
  /** No ATR, no card data: these go to every session. */
  'card.inserted': readerIdOnly,
  'card.removed': readerIdOnly,
  /** Only to the session that owns the read. */
  'read.progress': z.strictObject({
    requestId: rpcIdSchema,
    stage: z.enum(READ_STAGES),
    percent: z.number().min(0).max(100),
  }),
  'session.expiring': z.strictObject({ inSeconds: z.int().min(0) }),
} as const;
export type NotificationName = keyof typeof NOTIFICATIONS;
export type NotificationParams<N extends NotificationName> = z.infer<(typeof NOTIFICATIONS)[N]>;

// ---------- tickets (backend → agent, via the page) ----------

/**
 * JWS (ES256) claims of a backend-signed ticket. aud = 'cccd-agent' or 'cccd-agent:<agentId>'; exp − iat ≤ 300 s;
 * jti is single use; origin must equal the WebSocket's Origin; nonce is the one read.start must carry.
 */
export const ticketClaimsSchema = z.strictObject({
  iss: z.string().min(1).max(256),
  aud: z.union([z.string().regex(/^cccd-agent(:[A-Za-z0-9_-]{1,64})?$/), z.array(z.string().max(128)).min(1).max(4)]),
  sub: z.string().max(128).optional(),
  origin: z.string().regex(/^https?:\/\/[^/\s]+$/),
  /** The front-desk operator, recorded in the audit trail (BHXH lookups also need the officer: CV 1923). */
  operatorId: z.string().min(1).max(128),
  purpose: purposeSchema,
  fields: fieldListSchema,
  nonce: nonceSchema,
  iat: z.int(),
  nbf: z.int().optional(),
  exp: z.int(),
  jti: z.string().min(8).max(128),
});
export type TicketClaims = z.infer<typeof ticketClaimsSchema>;
