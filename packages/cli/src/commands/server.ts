/**
 * `cccd server --config FILE [--port N]`: the CCCD backend (@cccd/server) on its own: POST /tickets and
 * POST /results for the front-desk pages, single-use nonces in memory or on Redis. Loaded by name at run time like
 * the agent; prints `listening on http://HOST:PORT` when ready and stops on SIGINT/SIGTERM (or io.signal).
 */
import { parseArgs, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { EXIT } from '../exit.js';
import type { Io } from '../io.js';

const SERVER_PACKAGE = '@cccd/server';

/** The slice of @cccd/server the CLI drives (packages/server/src/start.ts). */
interface ServerApi {
  startCccdServer(options: {
    configFile?: string;
    config?: { port?: number };
    print?: (line: string) => void;
    handleSignals?: boolean;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

async function loadServer(): Promise<ServerApi | undefined> {
  try {
    const mod = (await import(SERVER_PACKAGE)) as Partial<ServerApi>;
    return typeof mod.startCccdServer === 'function' ? (mod as ServerApi) : undefined;
  } catch {
    return undefined;
  }
}

export async function server(argv: string[], io: Io): Promise<number> {
  return guarded('server', argv, io, async () => {
    const args = parseArgs('cccd server', argv, { config: 'string', port: 'string', lang: 'string' });
    const config = args.get('config');
    if (config === undefined) throw new UsageError('cccd server: --config FILE is required (see cccd server --help)');
    const portText = args.get('port');
    const port = portText === undefined ? undefined : /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (port !== undefined && !(port >= 0 && port <= 65535))
      throw new UsageError('cccd server: --port must be a number from 0 to 65535');
    const api = await loadServer();
    if (!api) {
      io.stderr.write('cccd server: the backend is not available in this installation (@cccd/server).\n');
      return EXIT.usage;
    }
    let handle: Awaited<ReturnType<ServerApi['startCccdServer']>>;
    try {
      handle = await api.startCccdServer({
        configFile: config,
        ...(port === undefined ? {} : { config: { port } }),
        print: (line) => io.stdout.write(`${line}\n`),
        handleSignals: io.signal === undefined,
      });
    } catch (e) {
      // Configuration errors (schema, key file, trust paths, Redis, port) name the key, never a value: one line, exit 2.
      if (e instanceof Error && e.name === 'ConfigError') throw new UsageError(`cccd server: ${e.message}`);
      throw e;
    }
    const signal = io.signal;
    if (signal) {
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await handle.close();
    }
    return EXIT.ok;
  });
}
