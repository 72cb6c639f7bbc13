/**
 * The server's typed errors. Messages name a step, a key or a reason word, never a value from a ticket, a result
 * or a configuration file (a key, a card field): they end up in HTTP bodies and in logs.
 */

export type ServerErrorCode =
  /** The nonce/enrolment store did not answer (Redis down, timeout): nothing was accepted. */
  | 'ERR_STORE_UNAVAILABLE'
  /** A ticket request the server will not sign (an origin it does not serve, a bad field list, a bad ttl). */
  | 'ERR_TICKET_REQUEST'
  | 'ERR_RATE_LIMITED'
  /** An enrolment with a malformed agent ID or public key. */
  | 'ERR_INVALID_ENROLMENT'
  /** A trust bundle the server cannot publish: a bad signing key or a payload outside trustBundleSchema. */
  | 'ERR_TRUST_BUNDLE';

export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A configuration the server cannot start with: names the key, never its value (it may be a private key). */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    /** Dotted path of the offending key, e.g. 'redis.url'. */
    readonly key: string,
    problem: string,
  ) {
    super(`invalid server configuration: ${key}: ${problem}`);
  }
}

/** Enrolling a key that another agent holds: one device key is one agent, in every store. */
export const keyInUse = () =>
  new ServerError('ERR_INVALID_ENROLMENT', 'this public key is already enrolled for another agent');
