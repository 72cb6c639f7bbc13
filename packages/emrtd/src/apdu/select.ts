/** SELECT (ISO/IEC 7816-4 §7.1.1) as the eMRTD uses it: an EF by its file identifier, an application by its AID. */
import { u16 } from '../codec/bytes.js';
import type { ApduChannel } from './channel.js';
import type { CommandApdu } from './command.js';
import { expectSw } from './status.js';

/** An elementary file by name (for errors and traces) and file identifier. */
export interface ElementaryFileId {
  name: string;
  fid: number;
}

/** SELECT EF by file identifier, no response data (P2 0C). */
export const selectEfCommand = (fid: number): CommandApdu => ({
  cla: 0x00,
  ins: 0xa4,
  p1: 0x02,
  p2: 0x0c,
  data: u16(fid),
});

/** SELECT by DF name (the application identifier), no response data. */
export const selectApplicationCommand = (aid: Uint8Array): CommandApdu => ({
  cla: 0x00,
  ins: 0xa4,
  p1: 0x04,
  p2: 0x0c,
  data: aid,
});

/** Selects `file`; an error status word becomes the typed error naming the file (FileNotFound for 6A82, …). */
export async function selectFile(channel: ApduChannel, file: ElementaryFileId): Promise<void> {
  const step = `SELECT ${file.name}`;
  expectSw(step, await channel.send(selectEfCommand(file.fid), step), { file: file.name });
}
