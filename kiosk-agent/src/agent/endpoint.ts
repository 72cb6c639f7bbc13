/**
 * Where the agent is reached, known only once it listens (port 0 picks one): the Host names the upgrade gate and
 * the HTTP side accept, the agent's own origins, the origins allowed to connect, and the policy. Everything wired
 * before listen() reads these through the endpoint, so it sees the values bound afterwards; until then the sets
 * are empty and every request is refused.
 */
import { CCCD_FIELDS } from '@cccd/client';
import type { AgentConfig, PolicyRule } from '../config.js';
import { loopbackHosts } from '../gate.js';

/** Demo mode: the agent's own demo pages may read every field, with evidence, without a consent reference. */
function demoRules(origins: Iterable<string>): PolicyRule[] {
  return [...origins].map((origin) => ({
    origin,
    purpose: '*',
    fields: [...CCCD_FIELDS],
    evidence: true,
    requireConsentForSensitive: false,
  }));
}

export class AgentEndpoint {
  port = 0;
  /** Host header values a request may carry (DNS rebinding defence). */
  hosts: ReadonlySet<string> = new Set();
  /** http://127.0.0.1:p and http://localhost:p: the demo pages' origins and the admin CSRF checks. */
  own: ReadonlySet<string> = new Set();
  /** Origins that may open a WebSocket: the configured ones, plus the agent's own in demo mode. */
  origins: ReadonlySet<string> = new Set();
  policy: PolicyRule[];

  constructor(private readonly config: Pick<AgentConfig, 'allowedOrigins' | 'demo' | 'policy'>) {
    this.policy = config.policy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  bind(port: number): void {
    this.port = port;
    this.hosts = loopbackHosts(port);
    this.own = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    this.origins = new Set([...this.config.allowedOrigins, ...(this.config.demo ? this.own : [])]);
    if (this.config.demo) this.policy = [...demoRules(this.own), ...this.config.policy];
  }
}
