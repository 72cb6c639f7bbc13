/**
 * The documentation is code an integrator copies, so it is checked like code:
 * - every ```ts / ```typescript / ```js block of every README.md and of docs/**\/*.md type-checks against the
 *   workspace sources (the @cccd/* paths of tsconfig.test.json), each block as its own ES module with top-level
 *   await; a failure names the Markdown file and line. The names a block takes from its surroundings (a transport,
 *   an express `app`, a form) are declared in PRELUDES below, per Markdown file. A block that is deliberately not
 *   code (a shape, an excerpt) is preceded by `<!-- not-checked: reason -->`: keep that rare.
 * - no doc, README or source names the agent's old port: the agent listens on DEFAULT_AGENT_PORT (@cccd/client).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT } from '../kiosk-agent/src/config.js';
import { DEFAULT_AGENT_PORT } from '../packages/client/src/protocol.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'artifacts', 'coverage']);

function walk(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, keep, out);
    else if (keep(path)) out.push(path);
  }
  return out;
}

const rel = (path: string) => relative(ROOT, path).split('\\').join('/');

/** Every README.md in the repository and every Markdown file under docs/. */
function markdownFiles(): string[] {
  return walk(ROOT, (p) => p.endsWith('/README.md') || (rel(p).startsWith('docs/') && p.endsWith('.md'))).sort();
}

const CHECKED = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the first line of code (the one after the fence). */
  line: number;
  lang: string;
  code: string;
  /** The reason given in `<!-- not-checked: reason -->`, when the block is exempt. */
  notChecked?: string;
}

/** The fenced blocks of a Markdown text in the checked languages. */
function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open as unknown as [string, string, string, string];
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[end]!)) end++;
    if (CHECKED.has(lang.toLowerCase())) {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const marker = before >= 0 ? /^\s*<!--\s*not-checked:\s*(.*?)\s*-->\s*$/.exec(lines[before]!) : null;
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .join('\n');
      const block: CodeBlock = { file, line: i + 2, lang: lang.toLowerCase(), code };
      if (marker) block.notChecked = marker[1] ?? '';
      blocks.push(block);
    }
    i = end;
  }
  return blocks;
}

/**
 * What each Markdown file's blocks take from around them (declared, not invented: any type a block relies on comes
 * from the real packages). One prelude per file, shared by its blocks; it must not declare what a block declares.
 */
const PRELUDES: Record<string, string> = {
  'packages/emrtd/README.md': `import type { CccdDocument, Reason, Transport } from '@cccd/emrtd';
declare const transport: Transport;
declare const vietnamCscaPem: string;
declare const scannedText: string;
declare const canInput: string;
declare const signal: AbortSignal;
declare function fillCheckInForm(document: CccdDocument | undefined): void;
declare function showRefusal(reasons: Reason[]): void;
declare function showPortrait(png: Uint8Array): void;
declare function showNoPortrait(reason: string): void;`,
  'packages/pcsc/README.md': `declare const selectApdu: Uint8Array;`,
  'packages/relay/README.md': `import type * as E from '@cccd/emrtd';
declare const trustStore: E.TrustStore, transport: E.Transport;
declare const canFromYourApi: string, ticketFromServer: string;
declare function sendToClient(ticket: string): Promise<void>;`,
  'docs/relay.md': `import type * as E from '@cccd/emrtd';
declare const trustStore: E.TrustStore, transport: E.Transport;
declare const customer: { id: string };
declare const backOffice: { canOf(customerId: string): Promise<string> };
declare const api: { post(path: string, body: unknown): Promise<{ ticket: string }> };`,
  // NfcManager, NfcTech, NfcError and Platform come from react-native-nfc-manager and react-native in an app (not
  // installed here): typed as what NfcTransport takes.
  'packages/react-native/README.md': `import type { NfcErrorClasses, NfcManagerLike, NfcTechLike } from '@cccd/react-native';
declare const Platform: { OS: 'ios' | 'android' | 'windows' | 'macos' | 'web' };
declare const NfcManager: NfcManagerLike, NfcTech: NfcTechLike, NfcError: NfcErrorClasses;
declare const vietnamCscaPem: string, canInput: string, signal: AbortSignal;
declare function showVerdict(overall: string): void;`,
  'packages/hid/README.md': `import type * as E from '@cccd/emrtd';
declare function startChipRead(keys: E.CandidateKey[]): void;`,
  'docs/verification.md': `import type * as E from '@cccd/emrtd';
declare const sod: Uint8Array, DG1: Uint8Array, DG2: Uint8Array, DG13: Uint8Array, DG14: Uint8Array, DG15: Uint8Array;
declare const dataGroups: Partial<Record<E.DgName, Uint8Array>>;
declare const trustStore: E.TrustStore;
declare const transport: E.Transport, keys: E.AccessKey[];
declare const challenge: Uint8Array, response: Uint8Array;
declare const protocol: NonNullable<Parameters<typeof E.createEvidence>[0]['chipAuthentication']>['protocol'];
declare const pemOrDerBytes: Uint8Array, mlBytes: Uint8Array, crlBytes: Uint8Array, deList: Uint8Array;
declare const ldifText: string, germanCscaPem: string;`,
  'docs/integration-bank.md': `import type { ReadProgress, ReadResult } from '@cccd/client';
import type { Request } from 'express';
declare const app: import('express').Express;
declare const desks: { of(req: Request): { operatorId: string; agentId: string } | false };
declare const faceMatch: { start(result: ReadResult): Promise<void> };
declare const api: { post(path: string, body?: unknown): Promise<{ ticket: string }> };
declare const can: string;
declare const consent: { id: string };
declare function onProgress(progress: ReadProgress): void;`,
  'docs/integration-commune.md': `import type { ReadResult } from '@cccd/client';
import type { Request } from 'express';
declare const app: import('express').Express;
declare const officers: { of(req: Request): { operatorId: string; agentId: string } | false };
declare const hoSo: { attach(ticketId: string, result: ReadResult): Promise<void> };
declare const getTicket: () => Promise<string>;
declare const form: Record<'hoTen' | 'ngaySinh' | 'gioiTinh' | 'coGiaTriDen', HTMLInputElement>;`,
  'packages/server/README.md': `import type { Request } from 'express';
import type { ReadResult } from '@cccd/client';
declare const desks: { of(req: Request): { operatorId: string; agentId: string } | false };
declare const kyc: { save(result: ReadResult): Promise<void> };
declare const agentSpkiBase64: string;`,
  'docs/server.md': `import type { Request } from 'express';
import type { ReadResult } from '@cccd/client';
declare const desks: { of(req: Request): { operatorId: string; agentId: string } | false };
declare const kyc: { save(result: ReadResult): Promise<void> };
declare const agentSpkiBase64: string;
declare const app: import('express').Express;
declare const trustStore: import('@cccd/emrtd').TrustStore;
declare const body: { ticketId: string; result: unknown };
declare const pageOrigin: string;`,
  'docs/integration-hospital.md': `interface User { id: string; fullName: string; cccd: string }
interface Req { user: User; body: unknown }
interface Res { type(t: string): Res; send(body: string): void; status(code: number): Res; end(): void; json(body: unknown): void }
type Handler = (req: Req, res: Res, next?: () => void) => unknown;
declare const app: { post(path: string, ...handlers: Handler[]): void; use(path: string, router: import('express').Router): void };
declare const requireLogin: Handler;
declare function userOf(req: import('express').Request): User;
declare const agentSpkiBase64: string;
declare const desks: { forUser(user: User): Promise<{ agentId: string; agentPublicKey: string }> };
interface IssuedNonce { origin: string; operatorId: string; agentKey: string }
declare const nonces: {
  put(nonce: string, value: IssuedNonce, ttlSeconds: number): Promise<void>;
  take(nonce: string): Promise<IssuedNonce | undefined>;
};
declare const HIS_ORIGIN: string;
declare function findNonceFor(user: User): Promise<string>;
declare const bhxh: { lichSuKcb(query: Record<string, string>): Promise<unknown> };
declare const canInput: HTMLInputElement;
declare function showProgress(stage: string, percent: number): void;
declare function showPatient(lookup: unknown): void;
declare function showError(text: string, retriable: boolean): void;`,
};

/** Blocks compile as modules under kiosk-agent/, whose node_modules hold what server examples import (ws, jose, express). */
const HOME = join(ROOT, 'kiosk-agent', '__doc_blocks__');

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.test.json'), ts.sys.readFile).config as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const paths = Object.fromEntries(
    Object.entries(config.compilerOptions.paths).map(([name, targets]) => [name, targets.map((t) => join(ROOT, t))]),
  );
  return {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowJs: true,
    checkJs: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    paths,
  };
}

/** Type-checks the blocks in one program; returns `file:line: message` per diagnostic. */
function typeCheck(blocks: CodeBlock[]): string[] {
  const options = compilerOptions();
  const virtual = new Map<string, { block: CodeBlock; text: string; preludeLines: number }>();
  for (const block of blocks) {
    const prelude = PRELUDES[block.file] ?? '';
    const ext = block.lang === 'ts' || block.lang === 'typescript' ? 'mts' : 'mjs';
    const name = join(HOME, `${block.file.replace(/[^\w]/g, '_')}_L${block.line}.${ext}`);
    const preludeText = prelude ? `${prelude}\n` : '';
    virtual.set(name, { block, text: preludeText + block.code, preludeLines: preludeText.split('\n').length - 1 });
  }
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name)?.text ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) => {
    const v = virtual.get(name);
    return v ? ts.createSourceFile(name, v.text, language, true) : getSourceFile.call(host, name, language, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const errors: string[] = [];
  for (const [name, { block, preludeLines }] of virtual) {
    const source = program.getSourceFile(name);
    for (const d of ts.getPreEmitDiagnostics(program, source)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.file && d.file.fileName !== name) {
        errors.push(`${block.file}:${block.line}: (in ${rel(d.file.fileName)}) ${message}`);
        continue;
      }
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const where = at < preludeLines ? `${block.line} (prelude)` : `${block.line + at - preludeLines}`;
      errors.push(`${block.file}:${where}: TS${d.code} ${message}`);
    }
  }
  return errors;
}

describe('code blocks in README.md files and docs/', () => {
  const blocks = markdownFiles().flatMap((path) => codeBlocks(rel(path), readFileSync(path, 'utf8')));

  it('finds the blocks (the extractor works)', () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.some((b) => b.file === 'packages/client/README.md')).toBe(true);
  });

  it('gives every not-checked block a reason, and keeps them rare', () => {
    const exempt = blocks.filter((b) => b.notChecked !== undefined);
    expect(exempt.filter((b) => b.notChecked!.length < 10).map((b) => `${b.file}:${b.line}`)).toEqual([]);
    expect(exempt.length).toBeLessThanOrEqual(Math.ceil(blocks.length / 5));
  });

  it('type-checks every block against the workspace sources', () => {
    expect(typeCheck(blocks.filter((b) => b.notChecked === undefined))).toEqual([]);
  }, 120_000);

  it('has no prelude for a file without blocks (a renamed doc loses its prelude loudly)', () => {
    const withBlocks = new Set(blocks.map((b) => b.file));
    expect(Object.keys(PRELUDES).filter((f) => !withBlocks.has(f))).toEqual([]);
  });
});

describe('the agent port', () => {
  it('is one constant: the agent listens where @cccd/client points', () => {
    expect(DEFAULT_PORT).toBe(DEFAULT_AGENT_PORT);
  });

  it('no doc, README or source names the old port', () => {
    const old = String(8000 + 765); // spelled so this file does not match itself
    const pattern = new RegExp(`(?<![0-9A-Za-z+/=_-])${old}(?![0-9A-Za-z])`);
    const TEXT = /\.(md|ts|mts|cts|js|mjs|cjs|json|html|css|sh|ya?ml|txt)$/;
    const hits = walk(ROOT, (p) => TEXT.test(p) && !p.endsWith('pnpm-lock.yaml')).flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line, i) => (pattern.test(line) ? [`${rel(path)}:${i + 1}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});
