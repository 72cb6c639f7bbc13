import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PcscContext } from '@cccd/pcsc';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';
import { run } from './cli.js';
import { pickLang } from './i18n.js';
import { cccd, cscaPem, leaks, PERSONAL, tmp } from './test-support/harness.js';

const oneLine = (s: string) => s.trim().split('\n').length === 1 && !/\n\s+at /.test(s);

describe('cccd: usage and arguments', () => {
  it('prints usage and exits 2 without a command, 0 with help', async () => {
    expect((await cccd([])).code).toBe(2);
    const help = await cccd(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: cccd[\s\S]*read[\s\S]*readers[\s\S]*exit codes/);
  });

  it("prints one command's usage for `cccd CMD --help`, `-h` and `cccd help CMD`, exit 0", async () => {
    for (const cmd of ['read', 'readers', 'dump', 'verify', 'diagnose', 'trust', 'demo', 'agent', 'server']) {
      const direct = await cccd([cmd, '--help']);
      expect({ cmd, code: direct.code, stderr: direct.stderr }).toEqual({ cmd, code: 0, stderr: '' });
      expect(direct.stdout).toMatch(new RegExp(`^usage: cccd ${cmd}`));
      expect((await cccd(['help', cmd])).stdout).toBe(direct.stdout);
      expect((await cccd([cmd, '-h'])).stdout).toBe(direct.stdout);
    }
    // --help wins over everything else on the line, and nothing is read.
    const withKey = await cccd(['read', '--simulate', 'cccd-2021-adult', '--can', PERSONAL.can, '--help']);
    expect(withKey).toMatchObject({ code: 0, stderr: '' });
    expect(withKey.stdout).toMatch(/--show-invalid/);
    expect(leaks(withKey.stdout)).toEqual([]);
    expect((await cccd(['help', 'sim'])).stdout).toMatch(/^usage: cccd sim/);
    expect((await cccd(['sim', 'run', '--help'])).code).toBe(0);
    expect((await cccd(['help', 'frobnicate'])).code).toBe(2);
  });

  it('points to no file of the source repository', async () => {
    const texts = [(await cccd(['help'])).stdout];
    for (const cmd of ['read', 'readers', 'dump', 'verify', 'diagnose', 'trust', 'demo', 'agent', 'server', 'sim'])
      texts.push((await cccd([cmd, '--help'])).stdout);
    for (const t of texts) expect(t).not.toMatch(/docs\/|\.md\b(?<!README\.md)/);
    expect(texts[0]).toMatch(/README\.md of the @cccd\/cli package/);
  });

  it('prints the package version for --version and -V, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V'])
      expect(await cccd([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('rejects unknown commands and options with one line and exit 2', async () => {
    const unknown = await cccd(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toBe(true);
    const option = await cccd(['read', '--simulate', 'cccd-2021-adult', '--can', PERSONAL.can, '--colour']);
    expect(option).toMatchObject({ code: 2, stdout: '' });
    expect(option.stderr).toBe("cccd read: unknown option '--colour'\n");
  });

  it('never echoes command-line values in usage errors', async () => {
    const cases = [
      ['read', `--${PERSONAL.idNumber}`],
      ['read', PERSONAL.idNumber],
      ['read', '--can', PERSONAL.can, '--id', PERSONAL.idNumber, '--dob', PERSONAL.dateOfBirth, '--expiry', 'none'],
      ['read', '--id', PERSONAL.idNumber, '--dob', PERSONAL.dobVn],
      ['read', '--id', PERSONAL.idNumber.slice(1), '--dob', PERSONAL.dateOfBirth, '--expiry', 'none'],
      ['read', '--id', PERSONAL.idNumber, '--dob', '1990-02-31', '--expiry', 'none'],
      ['read', '--can', `${PERSONAL.can}9`],
      ['read', '--mrz', `${PERSONAL.mrzName}<<<`],
      ['read', '--qr', `${PERSONAL.idNumber}|${PERSONAL.fullName}`],
      ['dump', '--can', PERSONAL.can],
      ['read', '--can', PERSONAL.can, '--groups', 'dg1,dg99'],
      ['read', '--can', PERSONAL.can, '--timeout', '-3'],
      ['read', '--can', PERSONAL.can, '--access', 'bac'],
      ['read', '--can', PERSONAL.can, '--fault', 'tamper-file=DG13'],
    ];
    for (const argv of cases) {
      const r = await cccd(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(oneLine(r.stderr)).toBe(true);
      expect(leaks(r.stderr + r.stdout)).toEqual([]);
    }
  });

  it('parses repeated, comma-separated and = options', () => {
    const a = parseArgs('t', ['--trust', 'a,b.pem', '--trust=c', '--groups', 'dg1,dg2', '--json'], {
      trust: 'multi',
      groups: 'list',
      json: 'boolean',
    });
    expect(a.list('trust')).toEqual(['a,b.pem', 'c']);
    expect(a.list('groups')).toEqual(['dg1', 'dg2']);
    expect(a.flag('json')).toBe(true);
    expect(() => parseArgs('t', ['--x', '1', '--x', '2'], { x: 'string' })).toThrow(UsageError);
    expect(() => parseArgs('t', ['--x'], { x: 'string' })).toThrow(/needs a value/);
  });

  it('picks Vietnamese from --lang or the locale, English otherwise', async () => {
    expect(pickLang(undefined, { LANG: 'vi_VN.UTF-8' })).toBe('vi');
    expect(pickLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'vi_VN.UTF-8' })).toBe('en');
    expect(pickLang('en', { LANG: 'vi_VN' })).toBe('en');
    expect(pickLang(undefined, { LANG: 'C' })).toBe('en');
    const wrong = await cccd(['read', '--simulate', 'cccd-2021-adult', '--can', '000000'], {
      env: { LANG: 'vi_VN.UTF-8' },
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^cccd read: thẻ từ chối khóa truy cập/);
  });
});

describe('cccd readers', () => {
  const downService = () =>
    new PcscContext({
      factory: () => {
        throw new Error('SCardEstablishContext error: Service not available.(0x8010001D)');
      },
    });

  it('exits 6 with one clear line when the PC/SC service is not running', async () => {
    const r = await cccd(['readers'], { pcscContext: downService });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      'cccd readers: the PC/SC service (pcscd / Smart Card service) is not running; start it and try again\n',
    );
    const vi = await cccd(['readers', '--lang', 'vi'], { pcscContext: downService });
    expect(vi.stderr).toMatch(/dịch vụ PC\/SC .* không chạy/);
  });

  it('read without a service exits 6 before touching any card', async () => {
    const r = await cccd(['read', '--can', PERSONAL.can, '--timeout', '1'], { pcscContext: downService });
    expect(r).toMatchObject({ code: 6, stdout: '' });
    expect(leaks(r.stderr)).toEqual([]);
  });
});

describe('cccd trust', () => {
  it('imports CSCA certificates into a store folder and explains it', async () => {
    const dir = tmp();
    const store = join(dir, 'store');
    const pem = cscaPem(1, dir);
    const imported = await cccd(['trust', 'import', pem, '--store', store]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported csca-1\.pem \(certificates, 1 entry\)/);
    expect(imported.stdout).toMatch(/1 CSCA\/link certificate\(s\) from 1 country/);
    expect(readdirSync(store)).toEqual(['csca-1.pem']);
    const list = await cccd(['trust', 'list', '--store', store, '--json']);
    const json = JSON.parse(list.stdout);
    expect(json.entries).toHaveLength(1);
    expect(json.entries[0]).toMatchObject({ kind: 'csca', country: 'VN' });
    const viaEnv = await cccd(['trust', 'list'], { env: { CCCD_TRUST_STORE: store } });
    expect(viaEnv.stdout).toMatch(/csca VN .*Test/);
  });

  it('refuses files without usable anchors', async () => {
    const dir = tmp();
    const r = await cccd(['trust', 'import', join(dir, 'missing.pem'), '--store', join(dir, 's')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cccd trust: cannot use ${join(dir, 'missing.pem')} as trust anchors: it does not exist\n`);
    const none = await cccd(['trust', 'import', dir, '--store', join(dir, 's')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `cccd trust: cannot use ${dir} as trust anchors: it holds no CSCA certificate, CRL, master list or LDIF (.pem .crt .cer .der .crl .ml .ldif)\n`,
    );
    // One good file does not carry a bad one: every path given must load.
    const good = cscaPem(1, dir);
    const mixed = await cccd(['trust', 'import', good, join(dir, 'missing.pem'), '--store', join(dir, 's')]);
    expect(mixed.code).toBe(2);
    expect(existsSync(join(dir, 's'))).toBe(false);
    expect((await cccd(['trust', 'frob'])).code).toBe(2);
  });
});

describe('--trust paths that load nothing', () => {
  const secret = 'c2VjcmV0LWJ5dGVz';
  const cases = () => {
    const dir = tmp();
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, `-----BEGIN CERTIFICATE-----\n${secret}!\n-----END CERTIFICATE-----\n`);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), secret);
    const text = join(dir, 'csca.txt');
    writeFileSync(text, secret);
    return [
      [join(dir, 'missing.pem'), join(dir, 'missing.pem'), 'it does not exist'],
      [bad, bad, 'it is not a valid certificate, CRL, master list or LDIF file'],
      [empty, empty, 'it holds no CSCA certificate'],
      [text, text, 'it holds no CSCA certificate'],
    ] as const;
  };

  it('read, verify, diagnose and trust import exit 2 with one line naming the file, quoting none of it', async () => {
    for (const [path, named, why] of cases()) {
      const runs = {
        read: ['read', '--simulate', 'cccd-2021-adult', '--can', PERSONAL.can, '--trust', path],
        verify: ['verify', '--dir', tmp(), '--trust', path],
        diagnose: ['diagnose', '--simulate', 'cccd-2021-adult', '--can', PERSONAL.can, '--trust', path],
        trust: ['trust', 'import', path, '--store', join(tmp(), 's')],
      };
      for (const [name, argv] of Object.entries(runs)) {
        const r = await cccd(argv);
        expect({ name, path, code: r.code, stdout: r.stdout }).toEqual({ name, path, code: 2, stdout: '' });
        expect(r.stderr.startsWith(`cccd ${name}: cannot use ${named} as trust anchors: ${why}`)).toBe(true);
        expect(oneLine(r.stderr)).toBe(true);
        expect(r.stderr).not.toContain(secret);
      }
    }
  });

  it('a good file next to a bad one still fails; a folder with one certificate and other files loads', async () => {
    const dir = tmp();
    const good = cscaPem(1, dir);
    const r = await cccd([
      'read',
      '--simulate',
      'cccd-2021-adult',
      '--can',
      PERSONAL.can,
      '--trust',
      good,
      '--trust',
      join(dir, 'x.pem'),
    ]);
    expect(r.code).toBe(2);
    writeFileSync(join(dir, 'README.txt'), 'anchors');
    const ok = await cccd([
      'read',
      '--simulate',
      'cccd-2021-adult',
      '--can',
      PERSONAL.can,
      '--groups',
      'dg1',
      '--trust',
      dir,
    ]);
    expect(ok.code).toBe(0);
    const vi = await cccd(['verify', '--dir', dir, '--trust', join(dir, 'x.pem'), '--lang', 'vi']);
    expect(vi.stderr).toBe(
      `cccd verify: không dùng được ${join(dir, 'x.pem')} làm chứng thư gốc tin cậy: không tồn tại\n`,
    );
  });
});

describe('cccd agent', () => {
  it('starts the kiosk agent, prints where it listens, and stops when asked', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const ran = run(['agent', '--port', '0', '--simulate'], {
      stdout: {
        write: (s: string) => {
          lines.push(s);
          if (s.startsWith('listening on ')) stop.abort();
        },
      },
      stderr: { write: (s: string) => lines.push(s) },
      env: { CCCD_AGENT_DATA_DIR: tmp(), CCCD_AGENT_LOG_LEVEL: 'silent', LANG: 'C' },
      signal: stop.signal,
    });
    expect(await ran).toBe(0);
    expect(lines.join('')).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+/m);
  });

  it('rejects a bad port with one line', async () => {
    const r = await cccd(['agent', '--port', 'eighty']);
    expect(r).toMatchObject({ code: 2, stderr: 'cccd agent: --port must be a number from 0 to 65535\n' });
  });
});
