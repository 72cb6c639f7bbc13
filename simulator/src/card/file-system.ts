import { readTlvs, tlv, u16 } from '@cccd/emrtd/codec';
import { type CommandApdu, SW } from './apdu.js';
import { type ChipBehaviour, DEFAULT_CHIP } from './chip-behaviour.js';

/** The eMRTD application identifier (ICAO 9303-10 §3.10.1; the CCCD uses it unchanged). */
export const EMRTD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);

/** FIDs that live in the master file and can be selected without the application (9303-10 §3.11). */
const MF_LEVEL_FIDS = new Set([0x011c, 0x2f00, 0x2f01]);

export type FileResult = { sw: number; data?: Uint8Array };

/** A READ BINARY that may proceed: what it reads, so fault injection can look at the range first. */
export interface ReadPlan {
  fid: number;
  offset: number;
  data: Uint8Array;
  /** 6282 (or 9000, chip option eof=9000) when the end of the file came before Ne bytes. */
  sw: number;
  /** Odd INS B1: the data go back wrapped in DO'53'. */
  odd: boolean;
}

/**
 * The chip's file system: MF-level files (EF.CardAccess, EF.DIR, EF.ATR/INFO, EF.CardSecurity) and the eMRTD
 * application's EFs. Selection state is dropped on reset. Reads of application EFs need an access-control session.
 */
export class FileSystem {
  private appSelected = false;
  private currentFid: number | undefined;
  private currentInMf = false;

  constructor(
    private readonly files: Map<number, Uint8Array>,
    private readonly masterFiles: Map<number, Uint8Array>,
    private readonly protectedFids: Set<number>,
    private readonly behaviour: Pick<ChipBehaviour, 'selectMf' | 'endOfFile'> = DEFAULT_CHIP,
  ) {}

  reset(): void {
    this.appSelected = false;
    this.currentFid = undefined;
    this.currentInMf = false;
  }

  get applicationSelected(): boolean {
    return this.appSelected;
  }

  private mfFile(fid: number): Uint8Array | undefined {
    return this.masterFiles.get(fid) ?? (MF_LEVEL_FIDS.has(fid) ? this.files.get(fid) : undefined);
  }

  /** Size of a file by FID as the current DF sees it (for tests and fault planning). */
  fileData(fid: number): Uint8Array | undefined {
    return this.lookup(fid)?.data;
  }

  private lookup(fid: number): { data: Uint8Array; inMf: boolean } | undefined {
    const mf = this.mfFile(fid);
    // Inside the application the application's own EF wins (EF.SOD and EF.CardSecurity are both 011D).
    if (this.appSelected && !MF_LEVEL_FIDS.has(fid)) {
      const ef = this.files.get(fid);
      if (ef) return { data: ef, inMf: false };
    }
    if (mf) return { data: mf, inMf: true };
    return undefined;
  }

  select(apdu: CommandApdu): FileResult {
    const { p1, p2, data } = apdu;
    if (p2 !== 0x0c && p2 !== 0x00 && p2 !== 0x04) return { sw: SW.INCORRECT_P1P2 };
    if (p1 === 0x04) return this.selectByName(data, p2);
    if (p1 === 0x00 && (data.length === 0 || (data.length === 2 && data[0] === 0x3f && data[1] === 0x00)))
      return this.selectMf(p2);
    if (p1 !== 0x00 && p1 !== 0x02) return { sw: SW.INCORRECT_P1P2 };
    if (data.length !== 2) return { sw: SW.WRONG_LENGTH };
    const fid = (data[0]! << 8) | data[1]!;
    const found = this.selectFid(fid);
    if (found.sw !== SW.OK || p2 === 0x0c) return { sw: found.sw };
    const size = this.lookup(fid)!.data.length;
    return {
      sw: SW.OK,
      data: tlv(0x62, tlv(0x80, u16(Math.min(size, 0xffff))), tlv(0x82, Uint8Array.of(0x01)), tlv(0x83, u16(fid))),
    };
  }

  /**
   * CCCD quirk: SELECT MF answers 6D00 (docs/reference/vn-cccd.md §1); other chips select it (9000) or say 6A82
   * (select-mf).
   */
  private selectMf(p2: number): FileResult {
    if (this.behaviour.selectMf === '6d00') return { sw: SW.INS_NOT_SUPPORTED };
    if (this.behaviour.selectMf === '6a82') return { sw: SW.FILE_NOT_FOUND };
    this.reset();
    if (p2 === 0x0c) return { sw: SW.OK };
    // FCP of a DF: descriptor 38 (DF), FID 3F00.
    return { sw: SW.OK, data: tlv(0x62, tlv(0x82, Uint8Array.of(0x38)), tlv(0x83, u16(0x3f00))) };
  }

  private selectByName(aid: Uint8Array, p2: number): FileResult {
    if (aid.length < 5 || aid.length > 16) return { sw: SW.WRONG_LENGTH };
    if (aid.length !== EMRTD_AID.length || !aid.every((b, i) => b === EMRTD_AID[i])) return { sw: SW.FILE_NOT_FOUND };
    this.appSelected = true;
    this.currentFid = undefined;
    return p2 === 0x0c ? { sw: SW.OK } : { sw: SW.OK, data: tlv(0x6f, tlv(0x84, EMRTD_AID)) };
  }

  private selectFid(fid: number): FileResult {
    if (this.protectedFids.has(fid) && (this.appSelected || !this.mfFile(fid)))
      return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    const found = this.lookup(fid);
    if (!found) return { sw: SW.FILE_NOT_FOUND };
    this.currentFid = fid;
    this.currentInMf = found.inMf;
    return { sw: SW.OK };
  }

  /**
   * Plans READ BINARY (B0, offset in P1-P2 or short EF identifier in P1) or READ BINARY odd INS (B1, DO'54'
   * offset, P1-P2 = FID / SFI / 0000 for the current EF). Ne has already been capped to the chip's buffer.
   */
  planRead(apdu: CommandApdu, authenticated: boolean): ReadPlan | FileResult {
    const odd = apdu.ins === 0xb1;
    let offset: number;
    let target: number | undefined;
    if (!odd) {
      if (apdu.data.length) return { sw: SW.WRONG_LENGTH };
      if (apdu.p1 & 0x80) {
        if (apdu.p1 & 0x60) return { sw: SW.INCORRECT_P1P2 };
        target = 0x0100 | (apdu.p1 & 0x1f);
        offset = apdu.p2;
      } else offset = (apdu.p1 << 8) | apdu.p2;
    } else {
      const p1p2 = (apdu.p1 << 8) | apdu.p2;
      if (p1p2 !== 0) target = p1p2 <= 0x1f ? 0x0100 | p1p2 : p1p2;
      const parsed = parseOffsetDo(apdu.data);
      if (parsed === undefined) return { sw: SW.WRONG_DATA };
      offset = parsed;
    }
    if (target !== undefined) {
      const sel = this.selectFid(target);
      if (sel.sw !== SW.OK) return sel;
    }
    if (this.currentFid === undefined) return { sw: SW.NO_CURRENT_EF };
    if (!this.currentInMf && !authenticated) return { sw: SW.SECURITY_STATUS_NOT_SATISFIED };
    if (apdu.ne === 0) return { sw: SW.WRONG_LENGTH };
    const file = this.lookup(this.currentFid)!.data;
    if (offset >= file.length) return { sw: SW.WRONG_P1P2 };
    // B1 answers DO'53' whose header also counts against Ne.
    const room = odd ? do53Room(apdu.ne) : apdu.ne;
    if (room <= 0) return { sw: SW.WRONG_LENGTH };
    const data = file.subarray(offset, offset + room);
    const pastEnd = data.length < room;
    if (pastEnd && this.behaviour.endOfFile === '6b00') return { sw: SW.WRONG_P1P2 };
    return {
      fid: this.currentFid,
      offset,
      data: odd ? tlv(0x53, data) : data.slice(),
      sw: pastEnd && this.behaviour.endOfFile === '6282' ? SW.END_OF_FILE : SW.OK,
      odd,
    };
  }
}

/** Largest content c with 1 + |length field of c| + c ≤ ne. */
function do53Room(ne: number): number {
  const lengthBytes = (c: number) => (c < 0x80 ? 1 : c <= 0xff ? 2 : c <= 0xffff ? 3 : 4);
  let c = ne - 2;
  while (c > 0 && 1 + lengthBytes(c) + c > ne) c--;
  return c;
}

/** DO'54' offset data object of READ BINARY odd INS (ISO 7816-4 §11.3.3): 1 to 3 bytes, big-endian. */
function parseOffsetDo(data: Uint8Array): number | undefined {
  try {
    const dos = readTlvs(data, 'READ BINARY');
    if (dos.length !== 1 || dos[0]!.tag !== 0x54) return undefined;
    const v = dos[0]!.value;
    if (v.length < 1 || v.length > 3) return undefined;
    return v.reduce((acc, b) => acc * 256 + b, 0);
  } catch {
    return undefined;
  }
}
