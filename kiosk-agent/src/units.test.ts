import { CCCD_FIELDS, DEFAULT_DENY_FIELDS, METHOD_NAMES } from '@cccd/client';
import { CCCD_DOCUMENT_FIELDS } from '@cccd/emrtd';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { groupsFor } from './fields.js';
import { checkUpgrade, loopbackHosts, UpgradeRateLimiter } from './gate.js';
import { redactLogRecord } from './log.js';
import { checkRelease, policyFor } from './policy.js';
import { EventThrottle, loggableOrigin, OVERFLOW_KEY } from './throttle.js';
import { ReplayCache } from './tickets.js';

const gatePolicy = {
  allowedHosts: loopbackHosts(31500),
  allowedOrigins: new Set(['https://his.example.vn']),
  allowNoOrigin: false,
};
const good = {
  path: '/v1',
  host: '127.0.0.1:31500',
  origin: 'https://his.example.vn',
  protocols: 'cccd-agent.v1',
  remoteAddress: '127.0.0.1',
};

describe('upgrade gate', () => {
  it('accepts exactly the loopback hosts, the listed origins and the subprotocol', () => {
    expect(checkUpgrade(good, gatePolicy)).toEqual({ ok: true });
    for (const host of ['localhost:31500', '[::1]:31500', 'LOCALHOST:31500'])
      expect(checkUpgrade({ ...good, host }, gatePolicy).ok, host).toBe(true);
    expect(checkUpgrade({ ...good, protocols: 'chat, cccd-agent.v1' }, gatePolicy).ok).toBe(true);
  });

  it('never accepts a host or origin outside the lists (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (host, origin) => {
        const d = checkUpgrade({ ...good, host, origin }, gatePolicy);
        return d.ok === (gatePolicy.allowedHosts.has(host.toLowerCase()) && gatePolicy.allowedOrigins.has(origin));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts upgrades per key in a one-minute window', () => {
    let t = 0;
    const limiter = new UpgradeRateLimiter(2, () => t);
    expect([limiter.allow('a'), limiter.allow('a'), limiter.allow('a'), limiter.allow('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    t = 60_001;
    expect(limiter.allow('a')).toBe(true);
  });
});

describe('event throttle (attacker-triggered log and audit lines)', () => {
  it('records a burst per key and window, counts the rest, and hands the counts back once', () => {
    let t = 0;
    const th = new EventThrottle({ burst: 2, windowMs: 1000, maxKeys: 2, now: () => t });
    expect([1, 2, 3, 4].map(() => th.admit('a'))).toEqual([true, true, false, false]);
    expect(th.admit('b')).toBe(true);
    expect(th.drain()).toEqual([]); // windows still open
    // New keys beyond maxKeys share one overflow bucket, so the map stays bounded.
    expect(['c', 'd', 'e'].map((k) => th.admit(k))).toEqual([true, true, false]);
    t = 1000;
    // The ended window of 'a' keeps counting until drained: no count is lost.
    expect(th.admit('a')).toBe(false);
    expect(th.drain()).toEqual([
      { key: 'a', suppressed: 3 },
      { key: OVERFLOW_KEY, suppressed: 1 },
    ]);
    expect(th.admit('a')).toBe(true);
    expect(th.drain(true)).toEqual([]);
  });

  it('logs an Origin only as bounded printable ASCII', () => {
    expect(loggableOrigin(undefined)).toBe('native');
    expect(loggableOrigin('https://his.example.vn')).toBe('https://his.example.vn');
    expect(loggableOrigin('https://x\u202e\n{"event":"x"}')).toBe('https://x??{"event":"x"}');
    expect(loggableOrigin('h'.repeat(500))).toBe(`${'h'.repeat(64)}…`);
  });
});

describe('API surface', () => {
  it('offers exactly the protocol methods: no file, shell or raw APDU access', () => {
    expect([...METHOD_NAMES].sort()).toEqual([
      'admin.diagnose',
      'agent.getInfo',
      'agent.ping',
      'pair.begin',
      'pair.status',
      'read.cancel',
      'read.start',
      'readers.list',
      'session.authenticate',
    ]);
  });
});

describe('field policy', () => {
  const rules = parseConfig({
    policy: [
      { origin: 'https://his.example.vn', purpose: 'clinic-checkin', fields: ['idNumber', 'fullName'] },
      { origin: 'https://bank.example.vn', purpose: '*', fields: ['idNumber', 'photo', 'religion'] },
    ],
  }).policy;

  it('is per origin and purpose; unknown origins get nothing', () => {
    expect([...policyFor(rules, 'https://his.example.vn', 'clinic-checkin').fields]).toEqual(['idNumber', 'fullName']);
    expect(policyFor(rules, 'https://his.example.vn', 'marketing').fields.size).toBe(0);
    expect(policyFor(rules, 'https://evil.example', '*').fields.size).toBe(0);
  });

  it('denies every default-deny field unless the policy lists it, and asks consent for it', () => {
    const his = policyFor(rules, 'https://his.example.vn', 'clinic-checkin');
    for (const f of DEFAULT_DENY_FIELDS)
      expect(() => checkRelease({ requested: [f], policy: his, consentRef: 'c' }), f).toThrow(/not allowed/);
    const bank = policyFor(rules, 'https://bank.example.vn', 'kyc');
    expect(() => checkRelease({ requested: ['photo'], policy: bank })).toThrow(/consent/);
    expect(() => checkRelease({ requested: ['photo'], policy: bank, consentRef: 'c-1' })).not.toThrow();
    expect(() =>
      checkRelease({ requested: ['photo'], policy: bank, consentRef: 'c-1', ticketFields: ['idNumber'] }),
    ).toThrow(/not allowed/);
  });

  it('reads only the groups the fields need: DG2 only for the photo', () => {
    fc.assert(
      fc.property(fc.subarray([...CCCD_FIELDS], { minLength: 1 }), (fields) => {
        const groups = groupsFor(fields);
        return groups.includes('DG2') === fields.includes('photo') && groups.includes('SOD') && groups.includes('DG1');
      }),
    );
    expect(groupsFor(['idNumber'])).toEqual(['DG13', 'DG1', 'SOD']);
    expect(groupsFor(['photo'])).toEqual(['DG2', 'DG1', 'SOD']);
  });
});

describe('log allow-list', () => {
  it('drops every key not on the list and flattens nested values', () => {
    const rec = redactLogRecord({
      event: 'read',
      fullName: 'Trần Đức Minh',
      idNumber: '001090012345',
      err: new Error('boom 001090012345'),
      origin: { nested: 'x' },
      fields: ['idNumber', { v: 1 }],
    });
    expect(rec).toEqual({ event: 'read', origin: 'object', fields: ['idNumber', 'object'] });
  });
});

describe('ticket replay cache', () => {
  it('accepts a jti once, forgets it after expiry, and fails closed when full of live entries', () => {
    const cache = new ReplayCache(2);
    expect(cache.use('a', 1000, 0)).toBe(true);
    expect(cache.use('a', 1000, 10)).toBe(false);
    expect(cache.use('b', 1000, 10)).toBe(true);
    expect(() => cache.use('c', 1000, 20)).toThrow();
    expect(cache.use('c', 5000, 2000)).toBe(true);
    expect(cache.use('a', 5000, 2000)).toBe(true);
  });
});

describe('field names', () => {
  // The browser client cannot import the core (node:crypto), so the wire protocol keeps its own list: the agent,
  // which bridges both, checks that they agree.
  it('the protocol offers exactly the core CCCD view fields, plus the photo', () => {
    expect(CCCD_FIELDS.filter((f) => f !== 'photo')).toEqual([...CCCD_DOCUMENT_FIELDS]);
    expect(CCCD_FIELDS).toContain('photo');
  });
});
