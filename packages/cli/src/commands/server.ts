/**
 * `cccd server --config FILE [--port N]`: the CCCD backend (@cccd/server) on its own: POST /tickets and
 * POST /results for the front-desk pages, single-use nonces in memory or on Redis. Loaded by name at run time like
 * the agent; prints `listening on http://HOST:PORT` when ready and stops on SIGINT/SIGTERM (or io.signal).
 */
import { parseArgs, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { EXIT } from '../exit.js';
import type { Io } from '../io.js';
import { loadOptional, portOption, runUntilAborted } from './service.js';

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

export async function server(argv: string[], io: Io): Promise<number> {
  return guarded('server', argv, io, async () => {
    const args = parseArgs('cccd server', argv, { config: 'string', port: 'string', lang: 'string' });
    const config = args.get('config');
    if (config === undefined) throw new UsageError('cccd server: --config FILE is required (see cccd server --help)');
    const port = portOption('cccd server', args.get('port'));
    const api = await loadOptional<ServerApi>(SERVER_PACKAGE, 'startCccdServer');
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
    await runUntilAborted(io, handle);
    return EXIT.ok;
  });
}
