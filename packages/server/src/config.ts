/**
 * The standalone server's configuration file (`cccd server --config FILE`), zod-validated. A bad value fails with
 * ConfigError naming the key, never echoing a value (the file names a private key; Redis URLs carry passwords).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ticketClaimsSchema } from '@cccd/client';
import express from 'express';
import { z } from 'zod';
import { ConfigError } from './errors.js';

const origin = ticketClaimsSchema.shape.origin;
/** Whether express accepts this `trust proxy` value (it compiles addresses and subnets at once). */
function compilesAsTrustProxy(v: unknown): boolean {
  try {
    express().set('trust proxy', v);
    return true;
  } catch {
    return false;
  }
}

const agentId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 characters A-Z a-z 0-9 _ -');

export const ServerConfigSchema = z.strictObject({
  /** 0 = any free port. */
  port: z.int().min(0).max(65535).default(31600),
  host: z.string().min(1).max(255).default('127.0.0.1'),
  /** Mount point of POST /tickets and POST /results. */
  basePath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._-]+)*$/, 'a path like /cccd, or empty')
    .default(''),
  issuer: z.string().min(1).max(256),
  /** PKCS#8 PEM of the ES256 ticket key; relative to the config file. */
  ticketKeyFile: z.string().min(1),
  origins: z.array(origin).min(1).max(64),
  /** CSCA/CRL/master-list files or folders; relative to the config file. */
  trust: z.array(z.string().min(1)).max(64).default([]),
  /** The kiosk agent tickets are for, for a one-desk setup; without it tickets name no agent. */
  agentId: agentId.optional(),
  /** The enrolment registry: exactly these agents are accepted (others in the store are revoked at start). */
  agents: z
    .array(
      z.strictObject({
        agentId,
        publicKey: z.base64().min(40).max(1024),
        label: z.string().max(128).optional(),
      }),
    )
    .max(10_000)
    .default([])
    .superRefine((agents, ctx) => {
      // One device key is one agent (the store refuses it too): name the second entry.
      const seen = new Set<string>();
      for (const [i, a] of agents.entries()) {
        if (seen.has(a.publicKey)) ctx.addIssue({ code: 'custom', path: [i], message: 'publicKey enrolled twice' });
        seen.add(a.publicKey);
      }
    }),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'redis:// or rediss:// URL'),
      prefix: z.string().max(64).optional(),
      /** Replicas that must acknowledge each consume/enrol/revoke (Redis WAIT); fewer is a 503. Default 0. */
      waitReplicas: z.int().min(0).max(16).optional(),
      waitTimeoutMs: z.int().min(10).max(10_000).optional(),
    })
    .optional(),
  /** The fleet trust bundle at GET <basePath>/trust-bundle (docs/trust-feed.md); off without it. */
  trustBundle: z
    .strictObject({
      /** PKCS#8 PEM of the ES256 key that signs the bundle (its public half is the agents' trustFeed.publicKey). */
      keyFile: z.string().min(1),
      /** 'auto': the start of the current hour (grows by itself, whatever the ttl); a number pins it (bump it yourself). */
      version: z.union([z.literal('auto'), z.int().min(1).max(Number.MAX_SAFE_INTEGER)]).default('auto'),
      /** How long a bundle stays valid on the agents, in hours (default 7 days; at least 2: see trust-bundle.ts). */
      ttlHours: z
        .int()
        .min(2)
        .max(24 * 365)
        .default(24 * 7),
      /** CSCA/CRL/master-list files or folders to publish; default: the server's own `trust` paths. */
      trust: z.array(z.string().min(1)).max(64).optional(),
      /** Shown by the agents in /health; default: `issuer`. */
      issuer: z.string().min(1).max(100).optional(),
    })
    .optional(),
  allowSimulated: z.boolean().default(false),
  requireEvidence: z.boolean().default(true),
  acceptVerdicts: z
    .array(z.enum(['authentic', 'genuine-data', 'invalid', 'unknown-csca', 'not-checked']))
    .min(1)
    .default(['authentic', 'genuine-data']),
  ticketTtlSec: z.int().min(10).max(300).default(120),
  /**
   * Express's `trust proxy` (true, a hop count, addresses/subnets, 'loopback', 'uniquelocal'…): whose
   * X-Forwarded-For to believe for the client address the rate limit counts. Only behind a proxy you control.
   */
  trustProxy: z
    .union([
      z.boolean(),
      z.int().min(0).max(64),
      z.string().min(1).max(2048),
      z.array(z.string().min(1).max(256)).min(1).max(256),
    ])
    .refine(compilesAsTrustProxy, 'true, a hop count, or IP addresses/subnets (or loopback, linklocal, uniquelocal)')
    .optional(),
  /** Requests per client address and window, for each of the two routes (default 60 a minute). */
  rateLimit: z
    .strictObject({ limit: z.int().min(1).max(1_000_000_000), windowMs: z.int().min(1000).max(3_600_000) })
    .optional(),
  maxBodyBytes: z
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(8 * 1024 * 1024),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

export function parseServerConfig(input: unknown): ServerConfig {
  const r = ServerConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = issue?.path.map(String).join('.') || '(root)';
  if (issue?.code === 'unrecognized_keys')
    throw new ConfigError(key === '(root)' ? (issue.keys[0] ?? key) : `${key}.${issue.keys[0]}`, 'unknown key');
  // zod messages describe the expectation, never the received value.
  throw new ConfigError(key, issue?.message ?? 'invalid');
}

/** Reads and validates a config file; relative paths in it become relative to its folder. */
export function loadServerConfig(file: string, overrides: Partial<ServerConfigInput> = {}): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('file', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('file', `${file} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('(root)', `${file} must hold a JSON object`);
  const config = parseServerConfig({ ...json, ...overrides });
  const base = dirname(resolve(file));
  return {
    ...config,
    ticketKeyFile: resolve(base, config.ticketKeyFile),
    trust: config.trust.map((p) => resolve(base, p)),
    ...(config.trustBundle
      ? {
          trustBundle: {
            ...config.trustBundle,
            keyFile: resolve(base, config.trustBundle.keyFile),
            ...(config.trustBundle.trust ? { trust: config.trustBundle.trust.map((p) => resolve(base, p)) } : {}),
          },
        }
      : {}),
  };
}
