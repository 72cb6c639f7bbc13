import type { Fault } from './faults.js';

/**
 * The run-time side of fault injection: lifetime counters and which one-shot faults have fired. They survive power
 * cycles and removal (EEPROM-like), so a fault fires once and a reader that reconnects can finish its job.
 */
export class FaultState {
  private apdus = 0;
  private responses = 0;
  private smResponses = 0;
  private readonly insCounts = new Map<number, number>();
  private readonly fired = new Set<Fault>();

  constructor(readonly faults: readonly Fault[]) {}

  /** Total added latency of every answer (latency-ms faults add up). */
  get latencyMs(): number {
    let ms = 0;
    for (const f of this.faults) if (f.name === 'latency-ms') ms += f.ms;
    return ms;
  }

  /** Counts an arriving APDU; says whether the card leaves the field or falls silent instead of processing it. */
  onApdu(): 'removed' | 'mute' | undefined {
    this.apdus++;
    for (const f of this.faults) {
      if (this.fired.has(f)) continue;
      if (f.name === 'tag-loss-after-apdus' && this.apdus > f.apdus) {
        this.fired.add(f);
        return 'removed';
      }
      if (f.name === 'mute-after' && this.apdus > f.apdus) {
        this.fired.add(f);
        return 'mute';
      }
    }
    return undefined;
  }

  /** Counts a response and cuts it when a truncate-response fault names it (the status word goes first). */
  onResponse(bytes: Uint8Array): Uint8Array {
    this.responses++;
    let out = bytes;
    for (const f of this.faults) {
      if (f.name === 'truncate-response' && f.nth === this.responses)
        out = out.slice(0, Math.max(1, Math.floor(out.length / 2)));
    }
    return out;
  }

  /** Counts a secure-messaging response and says which SM faults apply to it. */
  onSmResponse(): { skipSsc: boolean; corruptMac: boolean } {
    const nth = ++this.smResponses;
    return {
      skipSsc: this.faults.some((f) => f.name === 'wrong-ssc' && f.nth === nth),
      corruptMac: this.faults.some((f) => f.name === 'corrupt-mac' && f.nth === nth),
    };
  }

  /** Counts a command by INS and returns the status word an `sw` fault answers it with instead, if any. */
  injectedSw(ins: number): number | undefined {
    const n = (this.insCounts.get(ins) ?? 0) + 1;
    this.insCounts.set(ins, n);
    for (const f of this.faults) {
      if (f.name !== 'sw' || f.ins !== ins) continue;
      if (f.nth === undefined || f.nth === n) return f.sw;
    }
    return undefined;
  }

  /** Whether a read of `length` bytes of `fid` from `offset` reaches a tag-loss-at-offset byte (fires once). */
  tagLossInRead(fid: number, offset: number, length: number): boolean {
    for (const f of this.faults) {
      if (f.name !== 'tag-loss-at-offset' || this.fired.has(f) || f.fid !== fid) continue;
      if (offset + length > f.offset) {
        this.fired.add(f);
        return true;
      }
    }
    return false;
  }
}
