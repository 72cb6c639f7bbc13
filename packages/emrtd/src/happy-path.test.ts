/**
 * The README's first TypeScript block (the happy path) compiles against the sources: an integrator who copies it
 * gets working code. Its free names (transport, the CSCA PEM, the scanned QR text, …) are declared here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const FREE_NAMES = `import type { CccdDocument, Reason, Transport } from '@cccd/emrtd';
declare const transport: Transport;
declare const vietnamCscaPem: string;
declare const scannedText: string;
declare const signal: AbortSignal;
declare function fillCheckInForm(document: CccdDocument | undefined): void;
declare function showRefusal(reasons: Reason[]): void;
`;

it('the README happy path compiles', () => {
  const readme = readFileSync(here('../README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const file = here('./readme-block.mts');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    paths: { '@cccd/emrtd': [here('./index.ts')] },
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile;
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, FREE_NAMES + block, language, true)
      : readSource.call(host, name, language, ...rest);
  const program = ts.createProgram([file], options, host);
  const errors = ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(errors).toEqual([]);
}, 60_000);
