import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHIP_OPTIONS, chipOptionsMarkdown, FAULTS, listProfiles } from '@cccd/simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../cli.js';
import { leaks, PERSONAL } from '../test-support/harness.js';
import { vpcdEndpoint } from './sim/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'sim-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** A stand-in for vpcd: it listens, the card connects and answers length-prefixed frames. */
async function fakeVpcd() {
  const frames: Buffer[] = [];
  let waiting: (() => void) | undefined;
  let socket: net.Socket | undefined;
  const server = net.createServer((s) => {
    socket = s;
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        frames.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        waiting?.();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const send = (payload: number[]) =>
    socket!.write(Buffer.from([payload.length >> 8, payload.length & 0xff, ...payload]));
  return {
    port: (server.address() as net.AddressInfo).port,
    send,
    async connected() {
      for (let i = 0; i < 200 && !socket; i++) await new Promise((r) => setTimeout(r, 10));
      expect(socket).toBeDefined();
    },
    async request(payload: number[]) {
      const n = frames.length;
      send(payload);
      const deadline = Date.now() + 2000;
      while (frames.length === n && Date.now() < deadline)
        await new Promise<void>((r) => {
          waiting = r;
          setTimeout(r, 50);
        });
      return frames[n]?.toString('hex');
    },
    async close() {
      socket?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** `cccd sim ARGV…` through the one CLI dispatcher, as `pnpm cccd sim …` runs it. */
function runSim(argv: string[], io: ReturnType<typeof capture>['io'], options: { signal?: AbortSignal } = {}) {
  return run(['sim', ...argv], { ...io, ...options });
}

async function sim(...argv: string[]) {
  const c = capture();
  const code = await runSim(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('cccd sim', () => {
  it('profiles: one name per line', async () => {
    const r = await sim('profiles');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(listProfiles());
  });

  it('faults: name=VALUE and description per line', async () => {
    const r = await sim('faults');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(FAULTS.length);
    for (const [i, f] of FAULTS.entries()) expect(lines[i]).toBe(`${f.name}=${f.value}\t${f.description}`);
  });

  it('chip-options: name=VALUE, default and description per line; --markdown prints the docs table', async () => {
    const r = await sim('chip-options');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(CHIP_OPTIONS.length);
    for (const [i, o] of CHIP_OPTIONS.entries()) expect(lines[i]).toMatch(new RegExp(`^${o.name}=\\S+\\t\\(default `));
    const md = await sim('chip-options', '--markdown');
    expect(md.out).toBe(`${chipOptionsMarkdown()}\n`);
    // The table in docs/simulator.md is this output, so the docs cannot drift from the options.
    const docs = readFileSync(join(import.meta.dirname, '../../../../docs/simulator.md'), 'utf8');
    expect(docs).toContain(chipOptionsMarkdown());
  });

  it('personalise --chip records the options in card.json; run --card refuses a file-changing --chip', async () => {
    const out = join(tmp, 'card-chip');
    const r = await sim(
      'personalise',
      '--profile',
      'cccd-young',
      '--out',
      out,
      '--chip',
      'aa=absent',
      '--chip',
      'sfi=refused',
    );
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(readFileSync(join(out, 'card.json'), 'utf8')).chip).toEqual(['aa=absent', 'sfi=refused:6A86']);
    expect(readdirSync(out)).not.toContain('DG15.bin');
    const bad = await sim('run', '--card', out, '--chip', 'ca=not-advertised', '--vpcd', '127.0.0.1:1');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^cccd sim run: chip option ca=not-advertised changes the card's files/);
  });

  it('personalise writes the card directory', async () => {
    const out = join(tmp, 'card');
    const r = await sim('personalise', '--profile', 'cccd-2021-adult', '--out', out, '--seed', '5');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^wrote 14 files to /);
    const files = readdirSync(out);
    for (const f of ['EF.SOD.bin', 'DG13.bin', 'EF.CardAccess.bin', 'csca.pem', 'profile.json', 'card.json'])
      expect(files).toContain(f);
    expect(JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')).idNumber).toBe('001090012345');
    expect(JSON.parse(readFileSync(join(out, 'card.json'), 'utf8')).can).toBe('012345');
  });

  it('personalise --can overrides the CAN (the last 6 digits of the ID by default)', async () => {
    const out = join(tmp, 'card-can');
    const r = await sim('personalise', '--profile', 'cccd-2021-adult', '--out', out, '--can', '123456');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(readFileSync(join(out, 'card.json'), 'utf8')).can).toBe('123456');
  });

  it('usage errors exit 2 with one line and no personal data', async () => {
    const cases = [
      [],
      ['launch'],
      ['personalise', '--profile', 'cccd-young'],
      ['personalise', '--profile', 'cccd-young', '--out', tmp, '--sig', 'rot13'],
      ['personalise', '--out'],
      ['personalise', '--bogus', 'x'],
      ['run'],
      ['run', '--card', tmp, '--profile', 'cccd-young'],
      ['run', '--profile', 'cccd-young', '--fault', 'gremlins=3'],
      ['run', '--profile', 'cccd-young', '--slot', '7'],
      ['run', '--card', tmp, '--can', '123456'],
      ['personalise', '--profile', 'cccd-young', '--out', tmp, '--can', '12345'],
      ['profiles', 'extra'],
      ['run', '--profile', 'cccd-young', '--chip', 'ca=sometimes'],
      ['run', '--profile', 'cccd-young', '--chip', 'eof=9000', '--chip', 'eof=6b00'],
      ['personalise', '--profile', 'cccd-young', '--out', tmp, '--chip', 'ne-cap=12'],
      ['chip-options', '--markdown=yes'],
    ];
    for (const argv of cases) {
      const r = await sim(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^cccd sim/);
    }
  });

  it('usage errors never repeat a value from the command line (the shared parser of every cccd command)', async () => {
    const cases = [
      [PERSONAL.idNumber],
      ['run', '--profile', 'cccd-young', '--', PERSONAL.can],
      ['run', '--profile', 'cccd-young', PERSONAL.idNumber],
      ['run', '--profile', 'cccd-young', `--${PERSONAL.can}`],
      ['personalise', '--profile', 'cccd-young', '--out', tmp, '--can', `${PERSONAL.can}9`],
      ['personalise', '--profile', 'cccd-young', '--out', tmp, '--sig', PERSONAL.dateOfBirth],
      ['profiles', '--', PERSONAL.fullName],
    ];
    for (const argv of cases) {
      const r = await sim(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(leaks(r.err + r.out)).toEqual([]);
    }
  });

  it('a bad profile file exits 1 naming the field', async () => {
    const r = await sim('personalise', '--profile', join(import.meta.dirname, 'no-such.json'), '--out', tmp);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read profile/);
  });

  it('vpcd endpoint: default port 35963 + slot, explicit HOST:PORT', () => {
    expect(vpcdEndpoint(undefined, undefined)).toEqual({ host: '127.0.0.1', port: 35963 });
    expect(vpcdEndpoint(undefined, 1)).toEqual({ host: '127.0.0.1', port: 35964 });
    expect(vpcdEndpoint('10.0.0.2:4000', undefined)).toEqual({ host: '10.0.0.2', port: 4000 });
    expect(vpcdEndpoint('[::1]', 1)).toEqual({ host: '::1', port: 35964 });
  });

  it('run presents the card to a vpcd endpoint and stops on abort', async () => {
    const vpcd = await fakeVpcd();
    const c = capture();
    const stop = new AbortController();
    const running = runSim(
      ['run', '--profile', 'cccd-young', '--vpcd', `127.0.0.1:${vpcd.port}`, '--fault', 'latency-ms=0'],
      c.io,
      { signal: stop.signal },
    );
    await vpcd.connected();
    expect(await vpcd.request([0x04])).toMatch(/^3b/); // GET ATR
    vpcd.send([0x01]); // power on
    expect(await vpcd.request([0x00, 0xa4, 0x02, 0x0c, 0x02, 0x01, 0x1c])).toBe('9000'); // SELECT EF.CardAccess
    expect(await vpcd.request([0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00])).toBe('6d00'); // SELECT MF, CCCD quirk
    stop.abort();
    expect(await running).toBe(0);
    await vpcd.close();
    expect(c.out()).toMatch(new RegExp(`^card inserted into vpcd 127.0.0.1:${vpcd.port}\\n`));
    expect(c.out()).toMatch(/stopped: 2 exchanges/);
    expect(c.out()).not.toContain('203005678');
  });

  it('run --chip serves the chip behaviour through the vpcd bridge', async () => {
    const vpcd = await fakeVpcd();
    const stop = new AbortController();
    const argv = ['run', '--profile', 'cccd-young', '--vpcd', `127.0.0.1:${vpcd.port}`];
    const chip = ['--chip', 'ne-cap=1024', '--chip', 'select-mf=9000', '--chip', 'eof=6b00', '--chip', 'aa=absent'];
    const running = runSim([...argv, ...chip], capture().io, { signal: stop.signal });
    await vpcd.connected();
    const atr = await vpcd.request([0x04]);
    expect(Number.parseInt(atr!.slice(-4, -2), 16) & 0x40).toBe(0x40); // extended length, implied by ne-cap=1024
    vpcd.send([0x01]);
    expect(await vpcd.request([0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00])).toBe('9000'); // select-mf=9000
    expect(await vpcd.request([0x00, 0xa4, 0x02, 0x0c, 0x02, 0x01, 0x1c])).toBe('9000');
    expect(await vpcd.request([0x00, 0xb0, 0x00, 0x00, 0x00])).toBe('6b00'); // eof=6b00: Le 00 runs past the end
    expect(await vpcd.request([0x00, 0xb0, 0x00, 0x00, 0x00, 0x04, 0x01])).toBe('6700'); // ne-cap=1024
    stop.abort();
    expect(await running).toBe(0);
    await vpcd.close();
  });

  it('run reports an unreachable vpcd with exit 1', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const r = await sim('run', '--profile', 'cccd-young', '--vpcd', `127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ECONNREFUSED.*pcscd/);
  });
});
