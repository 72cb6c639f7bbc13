/**
 * JPEG 2000 → PNG off the event loop: OpenJPEG (compiled to JavaScript) decodes synchronously, and its time grows
 * with what the codestream claims (pixels, layers, coding passes), which a hostile chip chooses. On the agent's
 * main thread one such portrait would stall every session; in this worker it costs one core, and a conversion
 * that outlives `timeoutMs` ends the worker (the next one starts fresh) and is reported as a typed failure.
 *
 * The worker loads the built `@cccd/emrtd/jpeg2000` entry (resolved from this package, as Node resolves it), so it
 * runs the same code whether the agent runs from dist/ or its tests from the sources.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface PngImage {
  png: Uint8Array;
  width: number;
  height: number;
}

/** What a conversion failure carries: the decoder's error name, code and reason, never a byte of the image. */
export class PhotoDecodeError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string | undefined,
    /** The decoder's error class (MalformedData, Jpeg2000Unsupported…) when the decoder refused the image. */
    name = 'PhotoDecodeError',
  ) {
    super(`portrait not converted: ${code}${reason ? ` (${reason})` : ''}`);
    this.name = name;
  }
}

// A CommonJS script (eval workers are): one conversion per message, the entry imported once.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let entry;
parentPort.on('message', async (job) => {
  try {
    entry ??= await import(workerData.entry);
    const r = await entry.jpeg2000ToPng(job.image, job.options);
    job.image.fill(0);
    parentPort.postMessage({ id: job.id, png: r.png, width: r.width, height: r.height }, [r.png.buffer]);
  } catch (e) {
    job.image.fill(0);
    const text = (v) => (typeof v === 'string' ? v.slice(0, 64) : undefined);
    const error = { code: text(e?.code) ?? 'decoder-error', reason: text(e?.reason), name: text(e?.name) };
    parentPort.postMessage({ id: job.id, error });
  }
});
`;

type Reply =
  | { id: number; png: Uint8Array; width: number; height: number }
  | { id: number; error: { code: string; reason?: string; name?: string } };

interface Job {
  resolve(r: PngImage): void;
  reject(e: PhotoDecodeError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PhotoDecoder {
  #worker: Worker | undefined;
  readonly #jobs = new Map<number, Job>();
  #next = 1;

  constructor(readonly timeoutMs = 10_000) {}

  /** One portrait to PNG within `timeoutMs`; rejects with PhotoDecodeError. */
  toPng(image: Uint8Array, options: Record<string, unknown>): Promise<PngImage> {
    const worker = this.#spawn();
    const id = this.#next++;
    return new Promise<PngImage>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new PhotoDecodeError('timeout', 'conversion took too long')),
        this.timeoutMs,
      );
      this.#jobs.set(id, { resolve, reject, timer });
      worker.postMessage({ id, image: image.slice(), options });
    });
  }

  /** Ends the worker; conversions in flight fail. */
  close(): Promise<void> {
    const w = this.#worker;
    this.#fail(new PhotoDecodeError('closed', 'agent closing'));
    return w ? w.terminate().then(() => undefined) : Promise.resolve();
  }

  #spawn(): Worker {
    if (this.#worker) return this.#worker;
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('@cccd/emrtd/jpeg2000')).href;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { entry } });
    worker.unref(); // an idle decoder never keeps the agent alive
    worker.on('message', (m: Reply) => this.#settle(m));
    worker.on('error', () => this.#fail(new PhotoDecodeError('decoder-crashed', 'worker error')));
    worker.on('exit', () => {
      if (this.#worker === worker) this.#fail(new PhotoDecodeError('decoder-crashed', 'worker exited'));
    });
    this.#worker = worker;
    return worker;
  }

  #settle(m: Reply): void {
    const job = this.#jobs.get(m.id);
    if (!job) return;
    this.#jobs.delete(m.id);
    clearTimeout(job.timer);
    if ('error' in m) job.reject(new PhotoDecodeError(m.error.code, m.error.reason, m.error.name));
    else job.resolve({ png: m.png, width: m.width, height: m.height });
  }

  /** Fails every job in flight and drops the worker (a stuck decode cannot be interrupted otherwise). */
  #fail(error: PhotoDecodeError): void {
    const w = this.#worker;
    this.#worker = undefined;
    for (const job of this.#jobs.values()) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    this.#jobs.clear();
    void w?.terminate();
  }
}
