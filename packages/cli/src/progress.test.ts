import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import type { Io } from './io.js';
import { overallPercent, progressBar, stageName } from './progress.js';

const step = (file: string, bytes: number, total: number) => ({ file, bytes, total });

it('one overall percentage for the whole read, never going backwards', () => {
  // Each file restarts at 0 bytes; the overall figure keeps climbing across them.
  const reads = [
    step('DG14', 0, 300),
    step('DG14', 300, 300),
    step('DG1', 0, 93),
    step('DG1', 93, 93),
    step('DG13', 200, 800),
    step('DG13', 800, 800),
    step('SOD', 0, 2000),
    step('SOD', 2000, 2000),
    step('DG15', 100, 100),
  ];
  let percent = 0;
  const seen: number[] = [];
  for (const r of reads) {
    percent = overallPercent(r, percent);
    seen.push(percent);
  }
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(seen.at(-1)).toBe(100);
  // A file out of the usual order (DG1 again after SOD) never pulls the bar back.
  expect(overallPercent(step('DG1', 0, 93), 83)).toBe(83);
  expect(overallPercent(step('EF.CardAccess', 10, 20), 5)).toBe(5);
});

it('names stages in words, not file names', () => {
  for (const lang of ['vi', 'en'] as const)
    for (const file of ['DG1', 'DG2', 'DG13', 'DG14', 'DG15', 'SOD', 'EF.COM']) {
      const name = stageName(file, lang);
      expect(name).not.toMatch(/DG\d|SOD|EF\./);
      expect(name.length).toBeGreaterThan(3);
    }
  expect(stageName('DG13', 'vi')).toBe('Đọc thông tin cá nhân');
});

it('draws one bar on a terminal, none in a pipe', () => {
  let out = '';
  const tty = Object.assign(
    new Writable({
      write(chunk, _e, cb) {
        out += chunk.toString();
        cb();
      },
    }),
    { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true },
  );
  const io = { stdout: tty, stderr: tty, env: {} } as unknown as Io;
  const bar = progressBar(io, 'vi');
  bar.update(step('DG14', 300, 300));
  bar.update(step('DG13', 0, 800));
  bar.update(step('DG13', 800, 800));
  bar.stop();
  const percents = [...out.matchAll(/(\d+)%/g)].map((m) => Number(m[1]));
  expect(percents.length).toBeGreaterThan(0);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  expect(out).toContain('Xác thực chip');
  const piped = { stdout: tty, stderr: new Writable({ write: (_c, _e, cb) => cb() }), env: {} } as unknown as Io;
  out = '';
  const none = progressBar(piped, 'vi');
  none.update(step('DG1', 1, 2));
  none.stop();
  expect(out).toBe('');
});
