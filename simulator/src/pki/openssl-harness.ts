/** Test-only helper: runs the system OpenSSL on files in a private temporary folder, always with a time limit. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Reads a file OpenSSL wrote into the work folder. */
  read(name: string): Uint8Array;
}

export class OpensslWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'cccd-pki-'));

  write(name: string, data: Uint8Array | string): string {
    const path = join(this.dir, name);
    writeFileSync(path, data);
    return path;
  }

  run(args: string[]): OpensslResult {
    const r = spawnSync('openssl', args, { cwd: this.dir, encoding: 'utf8', timeout: 15_000 });
    return {
      status: r.status,
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
      read: (name) => new Uint8Array(readFileSync(join(this.dir, name))),
    };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
