/**
 * One progress bar for the whole read on stderr, only when stderr is a terminal (never in pipes, logs or --json
 * captures). The chip's files are read one after another; the bar spans them all, never goes backwards, and names
 * each stage in words a clerk understands instead of file names.
 */
import type { ReadProgress } from '@cccd/emrtd';
import cliProgress from 'cli-progress';
import type { Lang } from './i18n.js';
import type { Io } from './io.js';

export interface Progress {
  update(p: ReadProgress): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/** The order files come off the chip in a read (read/read.ts): keys for CA, the data, the signature, AA's key. */
const ORDER = ['DG14', 'DG1', 'DG2', 'DG13', 'SOD', 'DG15'];

const STAGES: Record<string, { vi: string; en: string }> = {
  DG14: { vi: 'Xác thực chip', en: 'Checking the chip' },
  DG1: { vi: 'Đọc thông tin cơ bản', en: 'Reading the basic data' },
  DG2: { vi: 'Đọc ảnh chân dung', en: 'Reading the portrait' },
  DG13: { vi: 'Đọc thông tin cá nhân', en: 'Reading the personal data' },
  SOD: { vi: 'Đọc chữ ký số', en: 'Reading the digital signature' },
  DG15: { vi: 'Xác thực chủ động', en: 'Proving the chip is not a copy' },
};
const OTHER = { vi: 'Đọc thẻ', en: 'Reading the card' };

/** Overall percentage after `p`: files before it in ORDER count as done; never below `previous`. */
export function overallPercent(p: ReadProgress, previous: number): number {
  const index = ORDER.indexOf(p.file);
  const fraction = p.total > 0 ? Math.min(1, p.bytes / p.total) : 0;
  const now = index < 0 ? previous : Math.round((100 * (index + fraction)) / ORDER.length);
  return Math.max(previous, now);
}

export function stageName(file: string, lang: Lang): string {
  return (STAGES[file] ?? OTHER)[lang];
}

export function progressBar(io: Io, lang: Lang = 'en'): Progress {
  if (io.stderr.isTTY !== true) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WriteStream,
      format: '{stage} [{bar}] {percentage}%',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let percent = -1;
  return {
    update(p) {
      const started = percent >= 0;
      percent = overallPercent(p, Math.max(0, percent));
      if (!started) bar.start(100, percent, { stage: stageName(p.file, lang) });
      else bar.update(percent, { stage: stageName(p.file, lang) });
    },
    stop() {
      if (percent >= 0) bar.stop();
    },
  };
}
