import { EmrtdError } from '@cccd/emrtd';
import {
  type CardImage,
  type CardOptions,
  personalise,
  readCardDir,
  SimulatedCard,
  VPCD_DEFAULT_PORT,
  VpcdBridge,
} from '@cccd/simulator';
import { type ParsedArgs, parseArgs, UsageError } from '../../args.js';
import type { Io } from '../../io.js';
import { chipOf, faultsOf, intOption, profileOf, seedOf } from './options.js';

/** After a tag-loss fault the card is presented again after this long, like a user tapping again. */
const REINSERT_AFTER_MS = 300;
/** When vpcd itself goes away (pcscd restarted), try to reach it again at this interval. */
const RECONNECT_EVERY_MS = 1000;

/** `cccd sim run`: presents a card directory or an in-memory personalised profile to vpcd until stopped. */
export async function runCommand(argv: string[], io: Io): Promise<number> {
  const args = parseArgs('cccd sim run', argv, {
    card: 'string',
    profile: 'string',
    vpcd: 'string',
    slot: 'string',
    fault: 'multi',
    chip: 'multi',
    extended: 'string',
    'block-after': 'string',
    seed: 'string',
    can: 'string',
  });
  const cardDir = args.get('card');
  const profile = args.get('profile');
  if ((cardDir === undefined) === (profile === undefined))
    throw new UsageError('cccd sim run: give exactly one of --card DIR or --profile NAME');
  if (cardDir && (args.get('can') ?? args.get('seed')) !== undefined)
    throw new UsageError(
      'cccd sim run: --can and --seed apply to --profile (a card directory is already personalised)',
    );
  const settings = runSettings(args);
  const seed = seedOf(args);
  // With --profile the file-changing chip options shape the files; with --card the directory already has its files.
  const image = cardDir
    ? readCardDir(cardDir)
    : await personalise(profileOf(args, profile!), { seed, chip: settings.card.chip });
  return runCard(image, settings, io);
}

/** vpcd endpoint from --vpcd HOST[:PORT] and --slot (port 35963 + slot, as Debian's reader.conf sets it). */
export function vpcdEndpoint(vpcd: string | undefined, slot: number | undefined): { host: string; port: number } {
  if (vpcd === undefined) return { host: '127.0.0.1', port: VPCD_DEFAULT_PORT + (slot ?? 0) };
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(vpcd);
  if (!m) throw new UsageError('cccd sim run: --vpcd must be HOST:PORT');
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (m[2] === undefined) return { host, port: VPCD_DEFAULT_PORT + (slot ?? 0) };
  if (slot !== undefined) throw new UsageError('cccd sim run: give --slot or a port in --vpcd, not both');
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new UsageError('cccd sim run: --vpcd port must be 1-65535');
  return { host, port };
}

export interface RunSettings {
  host: string;
  port: number;
  card: CardOptions;
}

/** Validates the `run` options (UsageError on any mistake) before any card is built. */
export function runSettings(args: ParsedArgs): RunSettings {
  const slot = intOption('run', args, 'slot', 0, 1);
  const { host, port } = vpcdEndpoint(args.get('vpcd'), slot);
  const extended = intOption('run', args, 'extended', 256, 65536);
  const maxWrongAttempts = intOption('run', args, 'block-after', 1, 1000);
  const chip = chipOf('run', args);
  return {
    host,
    port,
    card: {
      faults: faultsOf('run', args),
      ...(Object.keys(chip).length ? { chip } : {}),
      ...(extended === undefined ? {} : { extendedLength: extended }),
      ...(maxWrongAttempts === undefined ? {} : { maxWrongAttempts }),
    },
  };
}

/** The card, or a usage error when a --chip option would need other files (ca=not-advertised, aa=absent). */
function cardOf(image: CardImage, options: CardOptions): SimulatedCard {
  try {
    return new SimulatedCard(image, options);
  } catch (e) {
    if (e instanceof EmrtdError && e.code === 'invalid-argument')
      throw new UsageError(`cccd sim run: ${e.message} (cccd sim personalise --chip …, or run --profile)`);
    throw e;
  }
}

/** Resolves when the signal aborts, or on SIGINT/SIGTERM when no signal is given. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Presents the card to vpcd until io.signal aborts (or SIGINT/SIGTERM). Prints one line per insertion (no
 * personal data), one per removal, and the link statistics at the end. Returns the exit status.
 */
async function runCard(image: CardImage, { host, port, card: options }: RunSettings, io: Io): Promise<number> {
  const card = cardOf(image, options);
  const bridge = new VpcdBridge(card, { host, port, reinsertAfterMs: REINSERT_AFTER_MS });
  const where = `vpcd ${host}:${port}`;
  let stopping = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  bridge.on('connected', () => io.stdout.write(`card inserted into ${where}\n`));
  bridge.on('disconnected', (reason) => {
    io.stdout.write(`card removed from ${where}: ${reason}\n`);
    if (stopping || reason.startsWith('tag lost')) return; // the bridge re-inserts after a tag loss itself
    const again = () => {
      retry = undefined;
      if (stopping || bridge.connected) return;
      bridge.insert().catch(() => {
        if (!stopping) retry = setTimeout(again, RECONNECT_EVERY_MS);
      });
    };
    retry = setTimeout(again, RECONNECT_EVERY_MS);
  });
  try {
    await bridge.insert();
  } catch (e) {
    await bridge.close();
    const why = e instanceof EmrtdError ? e.message : 'cannot connect';
    io.stderr.write(`cccd sim run: ${why} (is pcscd running with vsmartcard-vpcd?)\n`);
    return 1;
  }
  await untilStopped(io.signal);
  stopping = true;
  clearTimeout(retry);
  await bridge.close();
  const s = card.stats;
  io.stdout.write(
    `stopped: ${s.exchanges} exchanges, ${s.bytesIn} bytes in, ${s.bytesOut} bytes out, ` +
      `modelled ${Math.round(s.modelledMs)} ms\n`,
  );
  return 0;
}
