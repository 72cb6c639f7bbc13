/**
 * Step 3 of a read: the requested files (EF.SOD, DG1, DG13, …) through the session's file reader. Each file is
 * read at most once; one the chip does not have (6A82) or protects (6982) is noted as missing, not thrown.
 */
import { FileNotFound, SecurityStatusNotSatisfied } from '../errors.js';
import type { FileReadOptions, FileReadReport } from '../reader/file-reader.js';
import { FILES } from '../reader/files.js';
import type { CardSession } from './session.js';
import type { CccdGroup, CccdReadResult } from './types.js';

export class ChipFiles {
  /** Raw bytes of every file read, by name. */
  readonly raw: CccdReadResult['raw'] = {};
  /** The read report of every file read, in order. */
  readonly reports: FileReadReport[] = [];
  private readonly absent = new Map<CccdGroup, 'not-found' | 'access-denied'>();

  constructor(
    private readonly session: CardSession,
    private readonly options: FileReadOptions,
  ) {}

  /** The file's bytes (read now or earlier), or undefined when the chip does not give it. */
  async read(group: CccdGroup): Promise<Uint8Array | undefined> {
    if (this.raw[group] || this.absent.has(group)) return this.raw[group];
    try {
      // A plain-status error (e.g. unprotected 6A82) ends the SM session on some chips: re-establish first.
      if (this.session.lost) await this.session.reestablish();
      const { bytes, report } = await this.session.readFile(FILES[group], this.options);
      this.raw[group] = bytes;
      this.reports.push(report);
      return bytes;
    } catch (e) {
      if (e instanceof FileNotFound) this.absent.set(group, 'not-found');
      else if (e instanceof SecurityStatusNotSatisfied) this.absent.set(group, 'access-denied');
      else throw e;
      return undefined;
    }
  }

  /** Requested files the chip does not have or protects, in request order. */
  missing(groups: readonly CccdGroup[]): CccdReadResult['missing'] {
    return groups.flatMap((file) => {
      const reason = this.absent.get(file);
      return reason ? [{ file, reason }] : [];
    });
  }
}

/** Reads the requested files in order; DG15 waits for Active Authentication, which reads it itself. */
export async function readRequestedFiles(
  files: ChipFiles,
  groups: readonly CccdGroup[],
  options: { activeAuthentication?: 'auto' | 'off' },
): Promise<void> {
  const aaReadsDg15 = options.activeAuthentication !== 'off';
  for (const group of groups) if (!(aaReadsDg15 && group === 'DG15')) await files.read(group);
}
