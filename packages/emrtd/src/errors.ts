/**
 * Typed errors. Every error carries `{ step, file?, sw? }`: the protocol step that failed (e.g. 'GA 4',
 * 'READ BINARY DG2'), the file it concerned, the status word. Messages name those, never personal data (ID, name,
 * dates, CAN, MRZ). `code` is a stable machine-readable string.
 */
export type ErrorCode =
  | 'access-denied'
  | 'file-not-found'
  | 'security-status-not-satisfied'
  | 'malformed-data'
  | 'timeout'
  | 'card-removed'
  | 'transport'
  | 'cancelled'
  | 'card-error'
  | 'secure-messaging'
  | 'unsupported'
  | 'invalid-argument';

export interface EmrtdErrorOptions {
  step?: string;
  /** The file concerned (e.g. 'DG2', 'EF.SOD', 'certificate'), when there is one. */
  file?: string;
  sw?: number;
  cause?: unknown;
  /** True when retrying (possibly after reconnecting) may succeed. */
  retriable?: boolean;
}

export class EmrtdError extends Error {
  override name = 'EmrtdError';
  readonly step: string | undefined;
  readonly file: string | undefined;
  readonly sw: number | undefined;
  readonly retriable: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: EmrtdErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.step = options.step;
    this.file = options.file;
    this.sw = options.sw;
    this.retriable = options.retriable ?? false;
  }
}

const swText = (sw: number | undefined) =>
  sw === undefined ? '' : ` (SW ${sw.toString(16).toUpperCase().padStart(4, '0')})`;

export class AccessDenied extends EmrtdError {
  override name = 'AccessDenied';
  constructor(
    readonly method: 'BAC' | 'PACE' | 'CA' | 'AA' | 'any',
    options: EmrtdErrorOptions & { attempts?: number } = {},
  ) {
    super(
      'access-denied',
      `${method} access denied at ${options.step ?? 'authentication'}${swText(options.sw)}`,
      options,
    );
  }
}

export class FileNotFound extends EmrtdError {
  override name = 'FileNotFound';
  declare readonly file: string;
  constructor(file: string, options: EmrtdErrorOptions = {}) {
    super('file-not-found', `${file} not found on the chip${swText(options.sw ?? 0x6a82)}`, {
      sw: 0x6a82,
      ...options,
      file,
    });
  }
}

export class SecurityStatusNotSatisfied extends EmrtdError {
  override name = 'SecurityStatusNotSatisfied';
  declare readonly file: string;
  constructor(file: string, options: EmrtdErrorOptions = {}) {
    super('security-status-not-satisfied', `${file} needs more access rights (e.g. EAC terminal authentication)`, {
      sw: 0x6982,
      ...options,
      file,
    });
  }
}

/** Where malformed data came from: a file (a string is a file), or a protocol step's response. */
export type DataSource = string | { file: string; step?: string } | { step: string; file?: string };

/**
 * Data that does not parse: a file, or a response of a protocol step (then `step` names it and `file` is unset).
 * The offset is into that data; the reason names structure, never content.
 */
export class MalformedData extends EmrtdError {
  override name = 'MalformedData';
  constructor(
    source: DataSource,
    readonly offset: number,
    reason: string,
    options: EmrtdErrorOptions = {},
  ) {
    const where = typeof source === 'string' ? { file: source } : source;
    const label = where.file ?? where.step;
    super('malformed-data', `${label}: malformed data at offset ${offset}: ${reason}`, { ...options, ...where });
  }
}

/** An algorithm, key type or parameter this library cannot verify (a verdict says "unsupported", not "invalid"). */
export class UnsupportedAlgorithm extends EmrtdError {
  override name = 'UnsupportedAlgorithm';
  constructor(what: string, options: EmrtdErrorOptions = {}) {
    super('unsupported', what, options);
  }
}

export class Timeout extends EmrtdError {
  override name = 'Timeout';
  constructor(step: string, ms: number, options: EmrtdErrorOptions = {}) {
    super('timeout', `no answer from the card within ${ms} ms at ${step}`, { step, retriable: true, ...options });
  }
}

export class CardRemoved extends EmrtdError {
  override name = 'CardRemoved';
  constructor(options: EmrtdErrorOptions = {}) {
    super('card-removed', `card removed or tag lost${options.step ? ` at ${options.step}` : ''}`, {
      retriable: true,
      ...options,
    });
  }
}

export class Cancelled extends EmrtdError {
  override name = 'Cancelled';
  constructor(step?: string) {
    super('cancelled', `operation cancelled${step ? ` at ${step}` : ''}`, step === undefined ? {} : { step });
  }
}

/** A status word the step did not expect. */
export class CardError extends EmrtdError {
  override name = 'CardError';
  constructor(step: string, sw: number, options: EmrtdErrorOptions = {}) {
    super('card-error', `${step} failed${swText(sw)}`, { step, sw, ...options });
  }
}

export class SecureMessagingError extends EmrtdError {
  override name = 'SecureMessagingError';
  constructor(reason: string, options: EmrtdErrorOptions = {}) {
    super('secure-messaging', `secure messaging: ${reason}`, { retriable: true, ...options });
  }
}
