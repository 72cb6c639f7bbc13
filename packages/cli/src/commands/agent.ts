/**
 * `cccd agent [--config FILE] [--port N] [--simulate] [--demo-backend]`: the kiosk agent (kiosk-agent/). Loaded by
 * name at run time, so the CLI builds and runs without it; the agent prints `listening on http://127.0.0.1:PORT`
 * when ready and closes gracefully on SIGINT/SIGTERM (or when io.signal aborts, in-process). `--demo-backend` runs
 * the demo backend beside it, in demo mode (demo-backend.ts; what `npm start` does).
 */
import { parseArgs, UsageError } from '../args.js';
import { guarded } from '../command.js';
import { EXIT } from '../exit.js';
import type { Io } from '../io.js';
import type { DemoAgentHandle } from './demo-backend.js';
import { loadOptional, portOption, runUntilAborted } from './service.js';

const AGENT_PACKAGE = '@cccd/kiosk-agent';

/** The slice of the agent's API the CLI drives (kiosk-agent/src/server.ts). */
interface AgentApi {
  startAgent(options: {
    configFile?: string;
    config?: Record<string, unknown>;
    env?: Record<string, string | undefined>;
    print?: (line: string) => void;
    handleSignals?: boolean;
  }): Promise<DemoAgentHandle>;
}

export async function agent(argv: string[], io: Io): Promise<number> {
  return guarded('agent', argv, io, async () => {
    const args = parseArgs('cccd agent', argv, {
      config: 'string',
      port: 'string',
      simulate: 'boolean',
      'demo-backend': 'boolean',
      lang: 'string',
    });
    const port = portOption('cccd agent', args.get('port'));
    const api = await loadOptional<AgentApi>(AGENT_PACKAGE, 'startAgent');
    if (!api) {
      io.stderr.write('cccd agent: the kiosk agent is not available in this installation (@cccd/kiosk-agent).\n');
      return EXIT.usage;
    }
    const config = args.get('config');
    const pcscd = args.flag('simulate') ? undefined : await startPcscdForAgent();
    let handle: Awaited<ReturnType<AgentApi['startAgent']>>;
    const print = (line: string) => io.stdout.write(`${line}\n`);
    const start = {
      ...(config === undefined ? {} : { configFile: config }),
      config: {
        ...(port === undefined ? {} : { port }),
        ...(args.flag('simulate') ? { simulate: true, demo: true } : {}),
      },
      ...(io.env ? { env: io.env } : {}),
    };
    const withBackend = args.flag('demo-backend');
    try {
      if (withBackend) {
        const { startWithDemoBackend } = await import('./demo-backend.js');
        handle = await startWithDemoBackend(start, (o) => api.startAgent({ ...o, print, handleSignals: false }), print);
        // The agent's own handler would leave the backend listening: close both.
        if (io.signal === undefined) closeOnSignal(handle);
      } else handle = await api.startAgent({ ...start, print, handleSignals: io.signal === undefined });
    } catch (e) {
      // A pcscd started for this agent is a child process: left running, it would keep this process alive.
      await pcscd?.stop();
      // The agent's configuration errors (schema, trust paths, issuer keys, data folder, port) name the key and
      // never a secret or a file's content: one line, exit 2.
      if (e instanceof Error && e.name === 'ConfigError') throw new UsageError(`cccd agent: ${e.message}`);
      throw e;
    }
    await runUntilAborted(io, handle);
    return EXIT.ok;
  });
}

function closeOnSignal(handle: { close(): Promise<void> }): void {
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    void handle.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/**
 * Real readers need pcscd. When none runs and this process may start one (root on Debian), start it for the
 * agent's lifetime and stop it when the process exits; otherwise the agent reports PC/SC as down and keeps trying.
 * Returns the daemon this call started, if any, so a failed start-up can stop it at once.
 */
async function startPcscdForAgent(): Promise<{ stop(): Promise<void> } | undefined> {
  const { ensurePcscd } = await import('@cccd/simulator');
  const pcscd = await ensurePcscd({ timeoutMs: 10_000 }).catch(() => undefined);
  const pid = pcscd?.started ? pcscd.pid : undefined;
  if (pid === undefined) return undefined;
  process.once('exit', () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  });
  return pcscd;
}
