/** The machine a benchmark ran on, for the report. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  nproc: number;
  node: string;
  os: string;
  memoryGb: number;
  openssl: string;
}

export function machineInfo(): MachineInfo {
  let openssl = 'not found';
  try {
    openssl = execFileSync('openssl', ['version'], { timeout: 5000 }).toString().trim();
  } catch {
    // reported as not found
  }
  return {
    date: new Date().toISOString(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    nproc: availableParallelism(),
    node: process.version,
    os: `${process.platform} ${release()}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    openssl,
  };
}
