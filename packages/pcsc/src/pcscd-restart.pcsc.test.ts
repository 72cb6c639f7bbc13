// The one test that restarts the machine's pcscd: other PC/SC test files must never do this.
import { EmrtdError, fromHex } from '@cccd/emrtd';
import { afterEach, expect, it } from 'vitest';
import { PcscContext } from './context.js';
import { nextEvent } from './test-support/events.js';
import { restartPcscd } from './test-support/pcscd-control.js';
import { VpcdTestCard } from './test-support/vpcd-card.js';
import { PcscTransport } from './transport.js';

const SELECT_EMRTD = fromHex('00A4040C07A0000002471001');
const OK = Uint8Array.of(0x90, 0x00);

const ctx = new PcscContext({ backoff: { initialMs: 50, maxMs: 400 } });
const card = new VpcdTestCard({ handler: () => OK });
afterEach(async () => {
  card.remove();
  await ctx.close();
});

it('keeps the event stream alive across a pcscd restart and transmits again after reconnect()', async () => {
  await card.insert();
  await ctx.waitForCard(card.reader, { timeoutMs: 5000 });
  const transport = await PcscTransport.open(ctx, card.reader, { extendedLength: false });
  expect(await transport.transmit(SELECT_EMRTD)).toEqual(OK);

  const service: string[] = [];
  ctx.on('service-down', () => service.push('down'));
  ctx.on('service-up', () => service.push('up'));
  const detached = nextEvent(ctx, 'reader-detached', (e) => e.name === card.reader, 10_000);
  const down = nextEvent(ctx, 'service-down', undefined, 10_000);
  const up = nextEvent(ctx, 'service-up', undefined, 15_000);
  const reattached = nextEvent(ctx, 'reader-attached', (e) => e.name === card.reader, 15_000);
  await restartPcscd();
  const [{ error }] = await down;
  expect(error.reason).toBe('no-service');
  await detached;
  await up;
  await reattached;
  expect(service).toEqual(['down', 'up']);

  // The old connection died with the daemon: a typed, retriable error, not a hang.
  const stale = await transport.transmit(SELECT_EMRTD, { timeoutMs: 2000 }).catch((e: unknown) => e);
  expect(stale).toBeInstanceOf(EmrtdError);
  expect((stale as EmrtdError).retriable).toBe(true);

  // vpcd dropped the card's socket when pcscd stopped: plug it in again, then the transport recovers.
  await card.insert(5000);
  await transport.reconnect({ timeoutMs: 10_000 });
  expect(await transport.transmit(SELECT_EMRTD)).toEqual(OK);
  expect((await ctx.readers()).map((r) => r.name)).toContain(card.reader);
});
