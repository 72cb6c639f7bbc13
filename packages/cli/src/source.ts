/**
 * Where the card comes from: a PC/SC reader (wait for a card, connect shared) or an in-process simulated card
 * (--simulate PROFILE, no pcscd needed). @cccd/pcsc is imported only for real readers, so demos and offline
 * commands run where the native binding or pcscd is missing.
 */
import { EmrtdError, type Transport } from '@cccd/emrtd';
import type { PcscContext } from '@cccd/pcsc';
import {
  InProcessTransport,
  loadProfile,
  type PersonalisedCard,
  parseChipOptions,
  personalisationOptions,
  personalise,
  SimulatedCard,
} from '@cccd/simulator';
import { type ParsedArgs, UsageError } from './args.js';
import { CliError, EXIT } from './exit.js';
import type { Lang } from './i18n.js';
import type { Io } from './io.js';

export interface CardSource {
  transport: Transport;
  /** The simulated card, when --simulate was used (its link statistics give modelledMs). */
  simulated?: SimulatedCard;
  /** DER of the simulated card's test CSCA. */
  simulatedCsca?: Uint8Array;
  /** The PC/SC reader's name and negotiated protocol ('T0'/'T1'), for a real reader. */
  reader?: { name: string; protocol?: string };
  close(): Promise<void>;
}

export interface SourceOptions {
  reader?: string | undefined;
  simulate?: string | undefined;
  faults?: string[];
  /** Simulator chip options (`name=value`, docs/simulator.md §7) for --simulate. */
  chip?: string[];
  timeoutMs: number;
  /** Force extended-length APDUs on the reader (vpcd does not advertise them); default: ask the reader. */
  extended?: boolean;
  signal?: AbortSignal;
  /** Called once when the command starts waiting for a card (the CLI prints a hint on a terminal). */
  onWaiting?: (reader: string | undefined) => void;
  /** Stand-in for new PcscContext() (tests). */
  pcscContext?: () => PcscContext;
}

/** The card source a command's CARD_OPTIONS name; with `hint`, "place the card" on a terminal's stderr. */
export function openCardSourceFromArgs(
  args: ParsedArgs,
  io: Pick<Io, 'stderr' | 'signal' | 'pcscContext'>,
  options: { timeoutMs: number; lang?: Lang },
): Promise<CardSource> {
  const { lang } = options;
  return openCardSource({
    reader: args.get('reader'),
    simulate: args.get('simulate'),
    faults: args.list('fault'),
    chip: args.list('chip'),
    timeoutMs: options.timeoutMs,
    extended: args.flag('extended'),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(io.pcscContext ? { pcscContext: io.pcscContext } : {}),
    ...(lang
      ? {
          onWaiting: (reader: string | undefined) => {
            if (io.stderr.isTTY)
              io.stderr.write(
                lang === 'vi'
                  ? `Đặt thẻ lên ${reader ?? 'đầu đọc'}…\n`
                  : `Place the card on ${reader ?? 'the reader'}…\n`,
              );
          },
        }
      : {}),
  });
}

export async function openCardSource(options: SourceOptions): Promise<CardSource> {
  if (options.simulate !== undefined)
    return openSimulated(options.simulate, options.faults ?? [], options.chip ?? [], options.extended === true);
  if ((options.faults ?? []).length > 0) throw new UsageError('--fault needs --simulate');
  if ((options.chip ?? []).length > 0) throw new UsageError('--chip needs --simulate');
  return openReader(options);
}

/** Personalisation costs about a second (key derivation); a process reading the same profile again reuses it. */
const images = new Map<string, Promise<PersonalisedCard>>();

function personalised(profileName: string, chip: string[]): Promise<PersonalisedCard> {
  const key = [profileName, ...chip].join(' ');
  let image = images.get(key);
  if (!image) {
    let profile: ReturnType<typeof loadProfile>;
    try {
      profile = loadProfile(profileName);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : 'unknown profile');
    }
    image = personalise(profile, { chip });
    images.set(key, image);
    image.catch(() => images.delete(key));
  }
  return image;
}

/**
 * `extended`: the simulated card and its link take extended-length APDUs (a short-only pair otherwise). `chip`
 * options that shape the files (ca=not-advertised, aa=absent) go to personalisation, the others to the card.
 */
async function openSimulated(
  profileName: string,
  faults: string[],
  chip: string[],
  extended: boolean,
): Promise<CardSource> {
  let perso: string[];
  try {
    perso = personalisationOptions(parseChipOptions(chip));
  } catch (e) {
    throw new UsageError(e instanceof EmrtdError ? e.message : 'bad --chip');
  }
  const image = await personalised(profileName, perso);
  let card: SimulatedCard;
  try {
    const onCard = chip.filter((c) => !perso.includes(c));
    card = new SimulatedCard(image, { faults, chip: onCard, extendedLength: extended });
  } catch (e) {
    throw new UsageError(e instanceof EmrtdError ? e.message : 'bad --fault or --chip');
  }
  return {
    transport: new InProcessTransport(card),
    simulated: card,
    ...(image.pki ? { simulatedCsca: image.pki.cscaCertDer } : {}),
    close: async () => {},
  };
}

const isTimeout = (e: unknown) => e instanceof EmrtdError && e.code === 'timeout';

async function openReader(options: SourceOptions): Promise<CardSource> {
  const { PcscContext, PcscTransport } = await import('@cccd/pcsc');
  const context = options.pcscContext?.() ?? new PcscContext();
  try {
    const readers = await context.readers({ timeoutMs: 5000, ...(options.signal ? { signal: options.signal } : {}) });
    if (readers.length === 0) throw new CliError(EXIT.noCard, 'no-readers');
    if (options.reader !== undefined && !readers.some((r) => r.name === options.reader))
      throw new CliError(EXIT.noCard, 'unknown-reader', { reader: options.reader });
    const ready = readers.find((r) => r.present && (options.reader === undefined || r.name === options.reader));
    if (!ready) options.onWaiting?.(options.reader);
    const presence = await context
      .waitForCard(options.reader, {
        timeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .catch((e: unknown) => {
        throw isTimeout(e)
          ? new CliError(EXIT.noCard, 'no-card', { seconds: Math.round(options.timeoutMs / 1000) })
          : e;
      });
    const transport = await PcscTransport.open(context, presence.reader, {
      extendedLength: options.extended ? true : 'auto',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      transport,
      reader: { name: presence.reader, ...(transport.protocol ? { protocol: transport.protocol } : {}) },
      close: async () => {
        await transport.close();
        await context.close();
      },
    };
  } catch (e) {
    await context.close();
    throw e;
  }
}
