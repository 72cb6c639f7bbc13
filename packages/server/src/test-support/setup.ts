/** One ticket key, one issuer, one simulated card and kiosk devices, shared by the server's tests. */
import { TrustStore } from '@cccd/emrtd';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { MemoryStore } from '../memory-store.js';
import { type CccdServer, type CccdServerOptions, createCccdServer } from '../server.js';
import type { CccdStore } from '../store.js';
import { type KioskDevice, kioskDevice, type SimulatedCard, simulatedCard } from './kiosk.js';

export const ISSUER = 'teller.bank.example.vn';
export const ORIGIN = 'https://teller.bank.example.vn';
export const OTHER_ORIGIN = 'https://evil.example.com';
export const DG1_FIELDS = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'nationality', 'dateOfExpiry'] as const;

export interface Fixture {
  ticketKeyPem: string;
  ticketPublicPem: string;
  sim: SimulatedCard;
  desk1: KioskDevice;
  desk2: KioskDevice;
  server(options?: Partial<CccdServerOptions> & { store?: CccdStore }): Promise<CccdServer>;
}

export async function fixture(): Promise<Fixture> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const ticketKeyPem = await exportPKCS8(privateKey);
  const ticketPublicPem = await exportSPKI(publicKey);
  const sim = await simulatedCard();
  const desk1 = await kioskDevice('desk-1');
  const desk2 = await kioskDevice('desk-2');
  return {
    ticketKeyPem,
    ticketPublicPem,
    sim,
    desk1,
    desk2,
    async server(options = {}) {
      const server = createCccdServer({
        issuer: ISSUER,
        ticketKey: ticketKeyPem,
        origins: [ORIGIN, OTHER_ORIGIN],
        trustStore: sim.trustStore(),
        store: options.store ?? new MemoryStore(),
        ...options,
      });
      await server.enrol(desk1.agentId, desk1.publicKey, 'branch 1, desk 1');
      await server.enrol(desk2.agentId, desk2.publicKey);
      return server;
    },
  };
}

export const emptyTrust = () => new TrustStore();
