/**
 * The relay protocol, version 1 (docs/relay.md): one JSON object per WebSocket text frame, bytes as lowercase hex.
 * The verifier sends requests with increasing ids, one at a time; the card side answers each id once. Frames are
 * validated with zod on both sides; anything that does not parse is a protocol violation, never a guess.
 *
 * Platform-neutral: no Node built-in, so the card side runs in browsers and React Native too.
 */
import { z } from 'zod';

export const RELAY_PROTOCOL_VERSION = 1;

/**
 * Largest command APDU: extended length, 4-byte header + 3-byte Lc + 65 535 data bytes + 2-byte Le
 * (ISO/IEC 7816-4 §5.1) = 65 544. Largest response: 65 536 data bytes + SW1 SW2 = 65 538.
 */
export const MAX_COMMAND_APDU = 65_544;
export const MAX_RESPONSE_APDU = 65_538;
/** Short-APDU floor every ISO 7816 link carries (4 + 1 + 255 + 1 and 256 + 2). */
export const MIN_COMMAND_APDU = 261;
export const MIN_RESPONSE_APDU = 258;
/** ISO/IEC 7816-3 §8.1: an ATR has at most 33 bytes. */
export const MAX_ATR_BYTES = 33;
/**
 * Largest frame either side accepts: the biggest APDU in hex plus a generous margin for the JSON around it.
 * Anything bigger is refused before it is parsed (the verifier's WebSocket closes with 1009).
 */
export const MAX_FRAME_BYTES = 2 * MAX_COMMAND_APDU + 1024;
/** Tickets are opaque strings; the verifier's own are 43 characters (256 bits, base64url). */
export const MAX_TICKET_LENGTH = 512;

/** WebSocket close codes (RFC 6455 §7.4: 4000–4999 are for applications). */
export const CloseCode = {
  /** The verifier finished the read (success or a card-side failure it has reported). */
  done: 1000,
  /** The other side is going away (server shutdown, page closed). */
  goingAway: 1001,
  /** A frame larger than MAX_FRAME_BYTES (RFC 6455's "message too big"). */
  tooBig: 1009,
  /** Garbage, an unknown frame type, a reply to an id that was not asked, a second hello… */
  protocolViolation: 4400,
  /** Wrong, expired or already used ticket (the peer is not told which). */
  ticketRejected: 4401,
  /** A CAN in the hello while the verifier does not accept one from the card side. */
  canRefused: 4403,
  /** No hello in time, an APDU or reconnect past its deadline, or the session deadline. */
  timeout: 4408,
  /** The hello names a protocol version this side does not speak. */
  unsupportedVersion: 4426,
  /** Too many connections waiting for their hello. */
  busy: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const hexOf = (maxBytes: number, minBytes = 0) =>
  z
    .string()
    .max(maxBytes * 2)
    .min(minBytes * 2)
    .regex(/^(?:[0-9a-f]{2})*$/, 'lowercase hex, whole bytes');
const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** A deadline the verifier passes on; the card side also caps it. */
const deadline = z.number().int().min(1).max(600_000);

/** What the card side says about its link; the verifier clamps every number (verifier/capabilities.ts). */
export const capabilitiesSchema = z.strictObject({
  maxCommandLength: z.number().int().min(0).max(1_000_000).optional(),
  maxResponseLength: z.number().int().min(0).max(1_000_000).optional(),
  extendedLength: z.boolean().optional(),
});

/** Failure kinds the card side may report: a kind, never the local error's text (it may say anything). */
export const FAILURE_KINDS = ['tag-lost', 'timeout', 'cancelled', 'unsupported', 'transport'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export const helloSchema = z.strictObject({
  t: z.literal('hello'),
  v: z.number().int(),
  ticket: z.string().min(1).max(MAX_TICKET_LENGTH),
  capabilities: capabilitiesSchema.optional(),
  atr: hexOf(MAX_ATR_BYTES).optional(),
  /** Only when the operator configured the card side to send it and the verifier to accept it. */
  can: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});

/** Card side → verifier, after the hello. */
export const cardFrameSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('response'), id, apdu: hexOf(MAX_RESPONSE_APDU, 2) }),
  z.strictObject({ t: z.literal('reconnected'), id, atr: hexOf(MAX_ATR_BYTES).optional() }),
  z.strictObject({ t: z.literal('error'), id, kind: z.enum(FAILURE_KINDS) }),
]);

/** Verifier → card side. */
export const verifierFrameSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('welcome'), v: z.literal(RELAY_PROTOCOL_VERSION) }),
  z.strictObject({ t: z.literal('transmit'), id, apdu: hexOf(MAX_COMMAND_APDU, 4), timeoutMs: deadline.optional() }),
  z.strictObject({ t: z.literal('reconnect'), id, timeoutMs: deadline.optional() }),
]);

export type Hello = z.infer<typeof helloSchema>;
export type CardFrame = z.infer<typeof cardFrameSchema>;
export type VerifierFrame = z.infer<typeof verifierFrameSchema>;

/**
 * Parses one text frame with `schema`; undefined for anything else (binary data, too long, not JSON, wrong shape).
 * The caller turns undefined into a protocol violation: a frame is never partly trusted.
 */
export function parseFrame<T>(schema: z.ZodType<T>, data: unknown): T | undefined {
  if (typeof data !== 'string' || data.length > MAX_FRAME_BYTES) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
