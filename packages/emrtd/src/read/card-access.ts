/**
 * The first step of a read: SELECT EF.CardAccess directly (never SELECT MF: the CCCD answers 6D00), by SFI when
 * the SELECT is refused, and parse its SecurityInfos (ICAO 9303-11 §4.2: which PACE the chip offers). A chip
 * without it is a BAC-only chip.
 */
import type { ExchangeStats, PlainChannel } from '../apdu/channel.js';
import { selectEfCommand } from '../apdu/select.js';
import { EmrtdError } from '../errors.js';
import { parseCardAccess, type SecurityInfos } from '../lds/card-access.js';
import { type FileSession, readFile } from '../reader/file-reader.js';
import { FILES } from '../reader/files.js';
import type { TransportCapabilities } from '../transport.js';

export interface CardAccess {
  cardAccess?: Uint8Array;
  infos?: SecurityInfos;
  /** Learned while reading it: the chip refuses reading past a file's end. */
  pastEndRefused?: boolean;
}

export interface PlainLink {
  channel: PlainChannel;
  stats: ExchangeStats;
  capabilities: TransportCapabilities | undefined;
  reconnect(): Promise<void>;
}

const SELECT_CARD_ACCESS = 'SELECT EF.CardAccess';
// 0xDF: EF.CardAccess fits one short READ, and no chip refuses that size (some refuse Le = 00).
const READ_OPTIONS = { maxFileSize: 16 * 1024, maxResumes: 1, maxBlockSize: 0xdf };

export async function readCardAccess(link: PlainLink): Promise<CardAccess> {
  const r = await link.channel.send(selectEfCommand(FILES.CardAccess.fid), SELECT_CARD_ACCESS);
  const plainSession: FileSession = {
    channel: link.channel,
    stats: link.stats,
    capabilities: link.capabilities,
    lost: false,
    reestablish: () => link.reconnect(),
  };
  let bytes: Uint8Array;
  if (r.sw === 0x9000)
    bytes = (await readFile(plainSession, FILES.CardAccess, { ...READ_OPTIONS, preselected: true })).bytes;
  else {
    // Some chips refuse SELECT by FID outside an application; ICAO gives EF.CardAccess the SFI 1C as well.
    try {
      bytes = (await readFile(plainSession, FILES.CardAccess, { ...READ_OPTIONS, useSfi: true })).bytes;
    } catch (e) {
      // Refused both ways: no CardAccess, a BAC-only chip. Link trouble is not an answer.
      if (e instanceof EmrtdError && !e.retriable && e.code !== 'cancelled' && e.code !== 'timeout') return {};
      throw e;
    }
  }
  return {
    cardAccess: bytes,
    infos: parseCardAccess(bytes),
    ...(plainSession.readSizes?.pastEndRefused ? { pastEndRefused: true } : {}),
  };
}
