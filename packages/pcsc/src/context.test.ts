import { EventEmitter } from 'node:events';
import { Cancelled, Timeout } from '@cccd/emrtd';
import { afterEach, describe, expect, it } from 'vitest';
import { PcscContext, type PcscContextEvents } from './context.js';
import { PcscError } from './errors.js';
import type { NativeContext } from './native.js';

// Stand-ins reproducing what pcsclite's JS glue does: start() on the next tick, 'reader' per new name, raw
// 'status' events with the event counter in the high word, 'error' on the context when the service dies.
class FakeReader extends EventEmitter {
  connected = false;
  closed = false;
  constructor(readonly name: string) {
    super();
  }
  status(state: number, atr?: string) {
    this.emit('status', atr === undefined ? { state } : { state, atr: Buffer.from(atr, 'hex') });
  }
  connect() {}
  disconnect() {}
  transmit() {}
  control() {}
  close() {
    this.closed = true;
  }
}

class FakeNative extends EventEmitter {
  closed = false;
  readonly readers = new Map<string, FakeReader>();
  private enumerateCb: ((err: unknown, data?: Buffer) => void) | undefined;
  start(cb: (err: unknown, data?: Buffer) => void) {
    this.enumerateCb = cb;
  }
  enumerate(names: string[]) {
    this.enumerateCb?.(undefined, Buffer.from(names.map((n) => `${n}\0`).join('') + '\0'));
  }
  close() {
    this.closed = true;
  }
}

function fakeBinding() {
  const created: FakeNative[] = [];
  let down = false;
  const factory = () => {
    if (down) throw new Error('SCardEstablishContext error: Service not available.(0x8010001d)');
    const native = new FakeNative();
    // pcsclite's glue: the enumeration callback emits 'reader' for each new name.
    process.nextTick(() =>
      native.start((err, data) => {
        if (err) return native.emit('error', err);
        for (const name of (data ?? Buffer.alloc(0)).toString().split('\0').filter(Boolean)) {
          if (native.readers.has(name)) continue;
          const reader = new FakeReader(name);
          native.readers.set(name, reader);
          native.emit('reader', reader);
        }
      }),
    );
    created.push(native);
    return native as unknown as NativeContext;
  };
  return {
    created,
    factory,
    setDown(value: boolean) {
      down = value;
    },
    last: () => created[created.length - 1]!,
  };
}

const PRESENT = 0x22;
const EMPTY = 0x12;
const INUSE = 0x100;
const MUTE = 0x200;
const withCount = (state: number, count: number) => (count << 16) | state;

function record(ctx: PcscContext) {
  const events: string[] = [];
  const names: (keyof PcscContextEvents)[] = [
    'reader-attached',
    'reader-detached',
    'card-inserted',
    'card-removed',
    'service-down',
    'service-up',
  ];
  for (const name of names) {
    ctx.on(name, ((arg?: { name?: string; reader?: string }) =>
      events.push(`${name}${(arg?.name ?? arg?.reader) ? ` ${arg?.name ?? arg?.reader}` : ''}`)) as never);
  }
  return events;
}

const tick = () => new Promise((r) => setImmediate(r));
const contexts: PcscContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

async function started(binding = fakeBinding(), backoffMs = 1) {
  const ctx = new PcscContext({ factory: binding.factory, backoff: { initialMs: backoffMs, maxMs: backoffMs } });
  contexts.push(ctx);
  const events = record(ctx);
  ctx.start();
  await tick();
  return { ctx, events, binding };
}

describe('PcscContext event stream (fake binding)', () => {
  it('debounces raw status changes into one insertion and one removal', async () => {
    const { ctx, events, binding } = await started();
    binding.last().enumerate(['R']);
    const reader = binding.last().readers.get('R')!;
    reader.status(EMPTY);
    reader.status(withCount(PRESENT, 1), '3B8080010101');
    reader.status(withCount(PRESENT | INUSE, 1), '3B8080010101');
    reader.status(withCount(PRESENT, 1), '3B8080010101');
    reader.status(withCount(EMPTY, 2));
    reader.status(withCount(EMPTY, 2));
    expect(events).toEqual(['service-up', 'reader-attached R', 'card-inserted R', 'card-removed R']);
    expect(ctx.reader('R')).toEqual({ name: 'R', present: false, atr: undefined, insertion: undefined });
  });

  it('reports a card swapped between two polls as removal then insertion', async () => {
    const { events, binding } = await started();
    binding.last().enumerate(['R']);
    const reader = binding.last().readers.get('R')!;
    reader.status(withCount(PRESENT, 1), '3B01');
    reader.status(withCount(PRESENT, 3), '3B02');
    expect(events.slice(-3)).toEqual(['card-inserted R', 'card-removed R', 'card-inserted R']);
  });

  it('does not count a mute card as present', async () => {
    const { ctx, events, binding } = await started();
    binding.last().enumerate(['R']);
    binding
      .last()
      .readers.get('R')!
      .status(withCount(PRESENT | MUTE, 1));
    expect(events).not.toContain('card-inserted R');
    await expect(ctx.readers()).resolves.toEqual([{ name: 'R', present: false, atr: undefined, insertion: undefined }]);
  });

  it('detaches a reader whose monitor ends', async () => {
    const { events, binding } = await started();
    binding.last().enumerate(['R']);
    const reader = binding.last().readers.get('R')!;
    reader.status(withCount(PRESENT, 1), '3B01');
    reader.emit('end');
    expect(events.slice(-2)).toEqual(['card-removed R', 'reader-detached R']);
  });

  it('survives the service going away: service-down, retries, service-up, readers again', async () => {
    const { ctx, events, binding } = await started();
    binding.last().enumerate(['R']);
    const first = binding.last();
    first.readers.get('R')!.status(withCount(PRESENT, 1), '3B01');
    binding.setDown(true);
    const up = new Promise<void>((resolve) => ctx.once('service-up', resolve));
    first.emit('error', new Error('SCardGetStatusChange error: RPC transport error.(0x80100013)'));
    expect(events.slice(-3)).toEqual(['card-removed R', 'reader-detached R', 'service-down']);
    await expect(ctx.readers()).rejects.toMatchObject({ reason: 'no-service' });
    binding.setDown(false);
    await new Promise<void>((resolve) => {
      const poll = () => (binding.created.length > 1 ? resolve() : setTimeout(poll, 1));
      poll();
    });
    await tick();
    binding.last().enumerate(['R']);
    await up;
    expect(events.slice(-2)).toEqual(['service-up', 'reader-attached R']);
    await tick();
    expect(first.closed).toBe(true);
    expect(first.readers.get('R')!.closed).toBe(true);
    // Late events of the dead generation are ignored.
    first.readers.get('R')!.status(withCount(PRESENT, 5), '3B01');
    expect(events.filter((e) => e === 'card-inserted R')).toHaveLength(1);
  });

  it('reports service-down once when the service is absent from the start', async () => {
    const binding = fakeBinding();
    binding.setDown(true);
    const { ctx, events } = await started(binding);
    await expect(ctx.readers()).rejects.toBeInstanceOf(PcscError);
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['service-down']);
  });

  it('bounds waitForCard and cancels it on close, closing every native object', async () => {
    const { ctx, binding } = await started();
    binding.last().enumerate(['R']);
    binding.last().readers.get('R')!.status(EMPTY);
    await expect(ctx.waitForCard('R', { timeoutMs: 20 })).rejects.toBeInstanceOf(Timeout);
    const waiting = expect(ctx.waitForCard('R', { timeoutMs: 5000 })).rejects.toBeInstanceOf(Cancelled);
    await ctx.close();
    await waiting;
    expect(binding.last().closed).toBe(true);
    expect(binding.last().readers.get('R')!.closed).toBe(true);
    expect(() => ctx.start()).not.toThrow();
    await expect(ctx.readers()).rejects.toMatchObject({ reason: 'closed' });
  });

  it('resolves waitForCard with a card already present', async () => {
    const { ctx, binding } = await started();
    binding.last().enumerate(['A', 'B']);
    binding.last().readers.get('A')!.status(EMPTY);
    binding.last().readers.get('B')!.status(withCount(PRESENT, 1), '3B02');
    const card = await ctx.waitForCard(undefined, { timeoutMs: 100 });
    expect(card).toEqual({ reader: 'B', atr: Uint8Array.of(0x3b, 0x02), insertion: 1 });
    // A re-tap is a later insertion: waiting "after" the current one ignores the card still shown present.
    const retap = ctx.waitForCard('B', { timeoutMs: 1000, after: card.insertion });
    binding.last().readers.get('B')!.status(withCount(EMPTY, 2));
    binding.last().readers.get('B')!.status(withCount(PRESENT, 3), '3B02');
    await expect(retap).resolves.toMatchObject({ reader: 'B', insertion: 2 });
  });
});
