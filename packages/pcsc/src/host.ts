import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HostEvent, HostRequest, ReaderOp } from './host-protocol.js';
import { type HostLink, RemoteContext, RemoteReader } from './host-remote.js';
import type { NativeContext, NativeFactory } from './native.js';

export interface ProcessHostOptions {
  /** Ping period of the host process (default 500 ms). */
  heartbeatMs?: number;
  /**
   * A host whose main thread has not answered a ping for this long (default 3000 ms) is killed and restarted: the
   * pcsclite binding freezes the thread that loaded it when a transmit never returns (pcscd killed mid-APDU).
   */
  stallMs?: number;
  /** How long a host with no open context lingers (default 10 s): no respawn per retry while pcscd is down. */
  lingerMs?: number;
  /** Path of host-child.js, for bundled apps (default: beside this module, or in dist/ when run from src/). */
  script?: string;
}

/** Error texts carry a PC/SC code so mapPcscError treats a lost host like a lost service (retriable). */
const STALLED = 'PC/SC host process stopped answering and was restarted (0x80100013)';
const EXITED = 'PC/SC host process ended (0x8010001D)';

const children = new Set<ChildProcess>();
let exitHook = false;

/**
 * A NativeFactory whose native objects live in a child process (host-child.ts). Every native call becomes a
 * message, so no pcsclite lock can ever block this thread. `dispose()` stops the host.
 */
export function processFactory(options: ProcessHostOptions = {}): NativeFactory {
  const host = new PcscHost(options);
  const factory: NativeFactory = () => host.establish();
  factory.dispose = () => host.stop();
  return factory;
}

class PcscHost implements HostLink {
  private child: ChildProcess | undefined;
  private readonly contexts = new Map<number, RemoteContext>();
  private readonly readers = new Map<number, RemoteReader>();
  private readonly calls = new Map<number, (event: Extract<HostEvent, { t: 'result' }>) => void>();
  private nextGen = 1;
  private nextCall = 1;
  private heartbeat: NodeJS.Timeout | undefined;
  private linger: NodeJS.Timeout | undefined;
  private ping = { seq: 0, sentAt: 0, answered: true, lastTick: 0 };
  private readonly heartbeatMs: number;
  private readonly stallMs: number;
  private readonly lingerMs: number;

  constructor(private readonly options: ProcessHostOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 500;
    this.stallMs = options.stallMs ?? 3000;
    this.lingerMs = options.lingerMs ?? 10_000;
  }

  establish(): NativeContext {
    const child = this.spawn();
    const gen = this.nextGen++;
    const context = new RemoteContext(this, gen);
    this.contexts.set(gen, context);
    this.send(child, { t: 'establish', gen });
    this.updateRef();
    return context;
  }

  call(rid: number, connected: boolean, op: ReaderOp): Promise<Extract<HostEvent, { t: 'result' }>> {
    return new Promise((resolve) => {
      const id = this.nextCall++;
      if (!this.child) return resolve({ t: 'result', id, connected: false, error: EXITED });
      this.calls.set(id, resolve);
      this.updateRef();
      this.send(this.child, { t: 'call', id, rid, connected, ...op });
    });
  }

  closeReader(rid: number): void {
    this.readers.delete(rid);
    if (this.child) this.send(this.child, { t: 'close-reader', rid });
  }

  closeContext(gen: number): void {
    if (!this.contexts.delete(gen)) return;
    if (this.child) this.send(this.child, { t: 'close-context', gen });
    this.updateRef();
  }

  stop(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.calls.size > 0;
    this.detach(child);
    this.failAll(EXITED);
    // A call still running holds a reader mutex that closing needs: the host would freeze on exit. The OS and
    // pcscd release its handles when it dies.
    if (busy) {
      child.kill('SIGKILL');
      return;
    }
    this.send(child, { t: 'exit' });
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  }

  // ---- process lifecycle -------------------------------------------------------------------------------------

  private spawn(): ChildProcess {
    clearTimeout(this.linger);
    if (this.child) return this.child;
    const child = fork(this.options.script ?? hostScript(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    children.add(child);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const c of children) c.kill('SIGKILL');
      });
    }
    child.on('message', (event: HostEvent) => {
      if (this.child === child) this.onEvent(event);
    });
    child.on('error', () => this.lost(child, EXITED)); // spawn failure or a send on a dead channel
    child.on('exit', () => {
      children.delete(child);
      this.lost(child, EXITED);
    });
    this.ping = { seq: 0, sentAt: 0, answered: true, lastTick: Date.now() };
    this.heartbeat = setInterval(() => this.beat(child), this.heartbeatMs).unref();
    return child;
  }

  private beat(child: ChildProcess): void {
    const now = Date.now();
    const late = now - this.ping.lastTick > this.heartbeatMs + 1000;
    this.ping.lastTick = now;
    // After this process was itself blocked, the pong may be waiting in the queue: judge the next ping instead.
    if (!this.ping.answered && !late && now - this.ping.sentAt > this.stallMs) {
      this.lost(child, STALLED);
      child.kill('SIGKILL');
      return;
    }
    if (this.ping.answered || late) {
      this.ping = { seq: this.ping.seq + 1, sentAt: now, answered: false, lastTick: now };
      this.send(child, { t: 'ping', seq: this.ping.seq });
    }
  }

  /** The host died or froze: every call fails and every context reports a lost service (the owner recovers). */
  private lost(child: ChildProcess, message: string): void {
    if (this.child !== child) return;
    this.detach(child);
    this.failAll(message);
  }

  private detach(child: ChildProcess): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.linger);
    this.child = undefined;
    child.unref();
    child.channel?.unref();
  }

  private failAll(message: string): void {
    const calls = [...this.calls];
    const contexts = [...this.contexts.values()];
    this.calls.clear();
    this.contexts.clear();
    this.readers.clear();
    for (const [id, resolve] of calls) resolve({ t: 'result', id, connected: false, error: message });
    for (const context of contexts) emitError(context, message);
  }

  /** Keeps this process alive while a context is open or a call runs, like the in-process binding's threads. */
  private updateRef(): void {
    const child = this.child;
    if (!child) return;
    clearTimeout(this.linger);
    if (this.contexts.size > 0 || this.calls.size > 0) {
      child.ref();
      child.channel?.ref();
      return;
    }
    child.unref();
    child.channel?.unref();
    this.linger = setTimeout(() => this.stop(), this.lingerMs).unref();
  }

  private send(child: ChildProcess, request: HostRequest): void {
    if (!child.connected) return;
    child.send(request, (error) => {
      if (error) this.lost(child, EXITED);
    });
  }

  private onEvent(event: HostEvent): void {
    switch (event.t) {
      case 'pong':
        if (event.seq === this.ping.seq) this.ping.answered = true;
        return;
      case 'result': {
        const resolve = this.calls.get(event.id);
        this.calls.delete(event.id);
        resolve?.(event);
        this.updateRef();
        return;
      }
      case 'context-error':
        emitError(this.contexts.get(event.gen), event.message);
        return;
      case 'enumerated':
        this.contexts.get(event.gen)?.enumerated();
        return;
      case 'reader': {
        const context = this.contexts.get(event.gen);
        if (!context) {
          if (this.child) this.send(this.child, { t: 'close-reader', rid: event.rid });
          return;
        }
        const reader = new RemoteReader(this, event.rid, event.name);
        this.readers.set(event.rid, reader);
        context.emit('reader', reader);
        return;
      }
      case 'status': {
        const status = event.atr ? { state: event.state, atr: Buffer.from(event.atr) } : { state: event.state };
        this.readers.get(event.rid)?.emit('status', status);
        return;
      }
      case 'reader-error':
        emitError(this.readers.get(event.rid), event.message);
        return;
      case 'reader-end': {
        const reader = this.readers.get(event.rid);
        this.readers.delete(event.rid);
        reader?.emit('end');
        return;
      }
    }
  }
}

/** Like the binding's 'error' events, but never an unhandled 'error' throw for an object nobody listens to. */
function emitError(target: RemoteContext | RemoteReader | undefined, message: string): void {
  if (target && target.listenerCount('error') > 0) target.emit('error', new Error(message));
}

/** host-child.js beside this module; when this module runs from src/ (tests), the compiled one in dist/. */
function hostScript(): string {
  const here = fileURLToPath(new URL('./host-child.js', import.meta.url));
  const built = here.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2');
  for (const candidate of [here, built]) if (existsSync(candidate)) return candidate;
  throw new Error(`PC/SC host script not found (${here}); build @cccd/pcsc first`);
}
