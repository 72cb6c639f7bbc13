/**
 * `cccd agent --demo-backend` (what `npm start` runs): the demo backend (@cccd/server's startDemoBackend, in memory
 * on its own loopback port) beside the agent, wired to it the way an integrator wires theirs (docs/demo.md):
 * the backend's ticket key in the agent's `issuers` for the agent's own origins, its trust bundle as the agent's
 * `trustFeed` (unless one is configured), and the agent's device key (AgentHandle.publicKey) enrolled in the
 * backend. Both keys of the backend live in `<agent data folder>/demo-backend/`, made at first start.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';

const SERVER_PACKAGE = '@cccd/server';
const AGENT_PACKAGE = '@cccd/kiosk-agent';

interface IssuerEntry {
  iss: string;
  publicKey: string;
  origins: string[];
}

/** The slices of @cccd/server and @cccd/kiosk-agent this wiring drives. */
interface DemoBackendApi {
  startDemoBackend(options: { dataDir: string; pageOrigins: string[]; trust?: readonly string[] }): Promise<{
    url: string;
    issuer: IssuerEntry;
    trustFeed: { url: string; publicKey: string };
    attachAgent(agent: { agentId: string; publicKey: string; testCsca?: Uint8Array }): Promise<void>;
    close(): Promise<void>;
  }>;
}
interface AgentConfigApi {
  loadConfig(options: { file?: string; env?: Record<string, string | undefined>; overrides?: object }): {
    port: number;
    dataDir?: string;
    trust: string[];
    issuers: IssuerEntry[];
    trustFeed?: object;
  };
  defaultDataDir(env?: Record<string, string | undefined>): string;
}

/** What the agent command passes to startAgent, and what it gets back (kiosk-agent/src/server.ts). */
export interface DemoAgentStart {
  configFile?: string;
  config: Record<string, unknown>;
  env?: Record<string, string | undefined>;
}
export interface DemoAgentHandle {
  url: string;
  agentId: string;
  publicKey: string;
  config: { simulation: { trustTestCsca: boolean } };
  simulatedReaders: { image: { pki?: { cscaCertDer: Uint8Array } } }[];
  close(): Promise<void>;
}

/** A free loopback port for an agent configured with port 0: its origins must be known before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the demo backend, then the agent with it configured, then enrols the agent. Returns the agent's handle
 * whose close() also closes the backend; a failure closes whatever had started.
 */
export async function startWithDemoBackend(
  start: DemoAgentStart,
  startAgent: (options: DemoAgentStart) => Promise<DemoAgentHandle>,
  print: (line: string) => void,
): Promise<DemoAgentHandle> {
  const agentApi = (await import(AGENT_PACKAGE)) as AgentConfigApi;
  const serverApi = (await import(SERVER_PACKAGE)) as DemoBackendApi;
  const env = start.env ?? process.env;
  const config = agentApi.loadConfig({
    ...(start.configFile ? { file: start.configFile } : {}),
    env,
    overrides: start.config,
  });
  const port = config.port === 0 ? await freePort() : config.port;
  const backend = await serverApi.startDemoBackend({
    dataDir: join(config.dataDir ?? agentApi.defaultDataDir(env), 'demo-backend'),
    pageOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
    trust: config.trust,
  });
  let agent: DemoAgentHandle;
  try {
    agent = await startAgent({
      ...start,
      config: {
        ...start.config,
        port,
        demo: true,
        demoBackend: backend.url,
        issuers: [...config.issuers.filter((i) => i.iss !== backend.issuer.iss), backend.issuer],
        trustFeed: config.trustFeed ?? { ...backend.trustFeed, refreshMinutes: 60 },
      },
    });
  } catch (e) {
    await backend.close();
    throw e;
  }
  const csca = agent.simulatedReaders[0]?.image.pki?.cscaCertDer;
  await backend.attachAgent({
    agentId: agent.agentId,
    publicKey: agent.publicKey,
    ...(csca && agent.config.simulation.trustTestCsca ? { testCsca: csca } : {}),
  });
  print(`demo backend: ${backend.url} (tickets for agent ${agent.agentId}, its device key enrolled)`);
  const closeAgent = agent.close;
  let closing: Promise<void> | undefined;
  return {
    ...agent,
    close: () => {
      closing ??= closeAgent().finally(() => backend.close());
      return closing;
    },
  };
}
