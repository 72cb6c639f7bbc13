/**
 * Structured JSON logs (pino) that cannot carry personal data: every record passes an allow-list of keys whose
 * values are identifiers, counts, codes or states, and messages are fixed strings written in this package. Values
 * from cards, requests or tickets never reach a logger call; error objects are reduced to their name and code.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const LOG_KEYS = new Set([
  'event',
  'url',
  'port',
  'sessionId',
  'requestId',
  'readId',
  'readerId',
  'readers',
  'origin',
  'clientId',
  'pairingId',
  'pairingCode',
  'purpose',
  'fields',
  'groups',
  'stage',
  'durationMs',
  'errorCode',
  'errorName',
  'status',
  'verdict',
  'pcsc',
  'method',
  'httpStatus',
  'reason',
  'closeCode',
  'sessions',
  'queued',
  'simulated',
  'signal',
  'count',
  'version',
]);

const MAX_VALUE = 200;

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.slice(0, 32).map((v) => (typeof v === 'string' ? clean(v) : typeof v));
  return typeof value;
}

/** Keeps allow-listed keys only; nested objects collapse to their type name. */
export function redactLogRecord(record: Record<string, unknown> | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record ?? {})) if (LOG_KEYS.has(k)) out[k] = clean(v);
  return out;
}

/** name and code of an error, for the errorName/errorCode keys (messages are not logged: some quote input). */
export function errorFields(e: unknown): { errorName: string; errorCode?: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? { errorName: e.name, errorCode: code } : { errorName: e.name };
  }
  return { errorName: typeof e };
}

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go (default stdout). Tests pass a stream that collects them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Bindings from child loggers go through the same allow-list as each record.
      formatters: { log: redactLogRecord, bindings: redactLogRecord },
    },
    options.destination ?? pino.destination(1),
  );
}

export type { Logger };
