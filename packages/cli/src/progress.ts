/** A per-file progress bar on stderr, only when stderr is a terminal (never in pipes, logs or --json captures). */
import type { ReadProgress } from '@cccd/emrtd';
import cliProgress from 'cli-progress';
import type { Io } from './io.js';

export interface Progress {
  update(p: ReadProgress): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

export function progressBar(io: Io): Progress {
  if (io.stderr.isTTY !== true) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WriteStream,
      format: '{file} [{bar}] {percentage}% | {value}/{total} B',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let file = '';
  return {
    update(p) {
      const total = Math.max(p.total, 1);
      if (!started) {
        bar.start(total, p.bytes, { file: p.file });
        started = true;
      } else if (p.file !== file) bar.setTotal(total);
      file = p.file;
      bar.update(p.bytes, { file: p.file });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
