/**
 * PC/SC readers through @cccd/pcsc. The binding is loaded lazily so simulated-only installs never touch it. The
 * context survives pcscd restarts by itself; we mirror its events and report service up/down.
 */
import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { PcscContext } from '@cccd/pcsc';
import type { CardLink, OpenOptions, Reader, ReaderSourceEvents } from './types.js';

/** Stable across restarts and re-plugs: derived from the reader name PC/SC reports. */
export const pcscReaderId = (name: string) =>
  `pcsc-${createHash('sha256').update(name, 'utf8').digest('base64url').slice(0, 10)}`;

class PcscReader implements Reader {
  readonly kind = 'pcsc' as const;
  readonly readerId: string;

  constructor(
    readonly name: string,
    private readonly source: PcscSource,
  ) {
    this.readerId = pcscReaderId(name);
  }

  cardPresent(): boolean {
    return this.source.context?.reader(this.name)?.present ?? false;
  }

  async open(options: OpenOptions): Promise<CardLink> {
    const { PcscTransport } = await import('@cccd/pcsc');
    const ctx = this.source.context!;
    await ctx.waitForCard(this.name, { timeoutMs: options.waitCardTimeoutMs, signal: options.signal });
    const transport = await PcscTransport.open(ctx, this.name, { signal: options.signal });
    return { transport, close: () => transport.close() };
  }
}

export class PcscSource {
  context: PcscContext | undefined;
  up: boolean | undefined;
  readonly readers = new Map<string, PcscReader>();

  constructor(private readonly events: EventEmitter<ReaderSourceEvents>) {}

  async start(): Promise<void> {
    const { PcscContext } = await import('@cccd/pcsc');
    const ctx = new PcscContext();
    this.context = ctx;
    ctx.on('reader-attached', ({ name }) => {
      const r = new PcscReader(name, this);
      this.readers.set(name, r);
      this.events.emit('attached', r);
    });
    ctx.on('reader-detached', ({ name }) => {
      const r = this.readers.get(name);
      if (!r) return;
      this.readers.delete(name);
      this.events.emit('detached', r);
    });
    ctx.on('card-inserted', ({ reader }) => {
      const r = this.readers.get(reader);
      if (r) this.events.emit('card-inserted', r);
    });
    ctx.on('card-removed', ({ reader }) => {
      const r = this.readers.get(reader);
      if (r) this.events.emit('card-removed', r);
    });
    ctx.on('service-up', () => {
      this.up = true;
      this.events.emit('status');
    });
    ctx.on('service-down', () => {
      this.up = false;
      this.events.emit('status');
    });
    ctx.start();
    // The first enumeration (the binding starts in its host process): bounded, so the agent starts with the real
    // reader list and service state; a service that is down is reported by the events above.
    await ctx.readers({ timeoutMs: 3000 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.context?.close();
  }
}
