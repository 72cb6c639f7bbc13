/**
 * The trust stores the agent reads with: the administrator's `trust` paths, plus the fleet trust bundle's CSCAs and
 * CRLs while that bundle is unexpired, plus (simulated readers only) the simulator's test CSCA. A new bundle
 * replaces the stores in one assignment, so a read in progress keeps the store it started with.
 */
import { fromBase64, type TrustBundle } from '@cccd/client';
import { TrustStore } from '@cccd/emrtd';

export type ReaderKind = 'pcsc' | 'simulated' | (string & {});

export interface BundleInfo {
  version: number;
  issuer: string;
  issuedAt: number;
  expiresAt: number;
  cscas: number;
  crls: number;
}

function copyInto(target: TrustStore, source: TrustStore): void {
  for (const e of source.anchors()) target.addParsed(e.certificate, e.source);
  for (const c of source.documentSigners()) target.addDocumentSigner(c.raw, 'config');
  for (const e of source.crls()) target.addCrl(e.crl.raw, e.source);
}

/**
 * The bundle's material in a store of its own. Every entry must parse: a bundle is taken whole or not at all.
 * Errors name the entry's index, never its bytes.
 */
export function bundleStore(bundle: TrustBundle): TrustStore {
  const store = new TrustStore();
  const src = (kind: string, i: number, s?: string) => `trust-bundle:v${bundle.version}:${kind}${i}${s ? `:${s}` : ''}`;
  bundle.cscas.forEach((c, i) => {
    store.addCertificate(fromBase64(c.der), src('csca', i, c.source));
  });
  bundle.crls.forEach((c, i) => {
    store.addCrl(fromBase64(c.der), src('crl', i, c.source));
  });
  return store;
}

export class AgentTrust {
  readonly #configured: TrustStore;
  readonly #testCsca: Uint8Array | undefined;
  readonly #now: () => number;
  #bundle: { info: BundleInfo; store: TrustStore } | undefined;
  #stores!: { pcsc: TrustStore; simulated: TrustStore; expiresAt: number | undefined };

  /** `testCsca`: trusted for simulated readers only (an agent with simulated readers turned on). */
  constructor(configured: TrustStore, options: { testCsca?: Uint8Array; now?: () => number } = {}) {
    this.#configured = configured;
    this.#testCsca = options.testCsca;
    this.#now = options.now ?? Date.now;
    this.#rebuild();
  }

  /** The store for one read; an expired bundle drops out of it (fail closed: its CSCAs are no longer trusted). */
  forReader(kind: ReaderKind): TrustStore {
    const exp = this.#stores.expiresAt;
    if (exp !== undefined && this.#now() >= exp * 1000) this.#rebuild();
    return kind === 'simulated' ? this.#stores.simulated : this.#stores.pcsc;
  }

  get bundle(): BundleInfo | undefined {
    return this.#bundle?.info;
  }

  bundleExpired(): boolean {
    return this.#bundle !== undefined && this.#now() >= this.#bundle.info.expiresAt * 1000;
  }

  /** Takes a verified bundle; throws TrustStoreError (and keeps the previous one) when an entry does not parse. */
  apply(bundle: TrustBundle): void {
    const store = bundleStore(bundle);
    const { version, issuer, issuedAt, expiresAt } = bundle;
    const info = { version, issuer, issuedAt, expiresAt, cscas: bundle.cscas.length, crls: bundle.crls.length };
    this.#bundle = { info, store };
    this.#rebuild();
  }

  #rebuild(): void {
    const live = this.#bundle && !this.bundleExpired() ? this.#bundle : undefined;
    const pcsc = new TrustStore();
    copyInto(pcsc, this.#configured);
    if (live) copyInto(pcsc, live.store);
    let simulated = pcsc;
    if (this.#testCsca) {
      simulated = new TrustStore();
      copyInto(simulated, pcsc);
      simulated.addCertificate(this.#testCsca, 'simulator:test-csca');
    }
    this.#stores = { pcsc, simulated, expiresAt: live?.info.expiresAt };
  }
}
