/** Agent release version (reported by agent.getInfo and /.well-known/cccd-agent). */
export const AGENT_VERSION = '0.1.0';
