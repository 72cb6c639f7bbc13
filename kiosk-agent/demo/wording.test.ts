/**
 * The Vietnamese a clerk reads on the front-desk pages: the pages' own vi strings (dictionaries and the HTML's
 * default text), the SDK's vi error messages (shown in the pages' error line) and the agent's simulated-card reason.
 * The verification reasons of @cccd/emrtd are written for IT and only appear behind the "technical details" toggle,
 * so they are not checked here. A known offender fails the test: English words mid-sentence, file and protocol
 * names (DG1…DG16, PA, CA, AA), "chính hãng" (said of goods, not of an identity card), ISO dates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '@cccd/client';
import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('./', import.meta.url));
const AGENT_SRC = fileURLToPath(new URL('../src/', import.meta.url));

const OFFENDERS: Array<[RegExp, string]> = [
  [/chính hãng/i, '"chính hãng" is for goods: say "thẻ thật, dữ liệu do cơ quan Công an cấp"'],
  [/\b(match(es|ed|ing)?|retr(y|ies)|failed|passed|refused|valid|invalid|checked|error)\b/i, 'an English word'],
  [/\bDG\s?\d{1,2}\b/i, 'a data-group name'],
  [/\b(PA|CA|AA)\b/, 'a protocol acronym (PA, CA, AA)'],
  [/\b\d{4}-\d{2}-\d{2}\b|\bYYYY-MM-DD\b/i, 'an ISO date (write dd/mm/yyyy)'],
];

/** The offences in one clerk-facing string. */
function offences(text: string): string[] {
  return OFFENDERS.filter(([re]) => re.test(text)).map(([, why]) => why);
}

/** The end of the `{ … }` block that opens at `open` (string-aware enough for these dictionaries). */
function blockEnd(source: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return source.length;
}

/** The string values (not the keys) of every `vi: { … }` dictionary in a page script. */
function viStrings(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\bvi: \{/g)) {
    const start = m.index + m[0].length - 1;
    const block = source.slice(start, blockEnd(source, start));
    // String literals in order (a regex would restart inside a key's closing quote); keys are those followed by ':'.
    for (let i = 0; i < block.length; i++) {
      const quote = block[i];
      if (quote !== "'" && quote !== '"' && quote !== '`') continue;
      let j = i + 1;
      while (j < block.length && block[j] !== quote) j += block[j] === '\\' ? 2 : 1;
      if (!/^\s*:/.test(block.slice(j + 1, j + 20))) out.push(block.slice(i + 1, j));
      i = j;
    }
  }
  return out;
}

/** The default (Vietnamese) text of a page's HTML. */
function htmlText(html: string): string[] {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .split(/<[^>]+>/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function clerkStrings(): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const file of readdirSync(DEMO)) {
    const source = readFileSync(join(DEMO, file), 'utf8');
    if (file.endsWith('.js')) for (const text of viStrings(source)) out.push({ where: file, text });
    if (file.endsWith('.html')) for (const text of htmlText(source)) out.push({ where: file, text });
  }
  for (const [code, def] of Object.entries(ERRORS)) out.push({ where: `@cccd/client ${code}`, text: def.vi });
  const read = readFileSync(join(AGENT_SRC, 'read.ts'), 'utf8');
  for (const m of read.matchAll(/^\s*vi: '((?:[^'\\]|\\.)*)'/gm))
    out.push({ where: 'kiosk-agent read.ts', text: m[1]! });
  return out;
}

describe('clerk-facing Vietnamese wording', () => {
  it('finds the strings it checks (dictionaries, HTML, SDK errors, the simulated-card reason)', () => {
    const all = clerkStrings();
    const where = new Set(all.map((s) => s.where.split(' ')[0]));
    for (const file of ['common.js', 'commune.js', 'clinic.js', 'bank.js', 'index.js', 'commune.html', '@cccd/client'])
      expect(where).toContain(file);
    expect(all.map((s) => s.text)).toContain('Đã đọc xong thẻ.');
    expect(all.some((s) => s.where === 'kiosk-agent read.ts' && /Thẻ mô phỏng/.test(s.text))).toBe(true);
    // No English leaks in: the en dictionary's own sentences are not collected.
    expect(all.map((s) => s.text)).not.toContain('The card was read.');
  });

  it('catches the known offenders', () => {
    for (const bad of [
      'Xác thực chip (CA): đạt',
      'Khóa DG14 match',
      'Thẻ chính hãng',
      'Hết retries',
      'Chữ ký số (PA)',
      'Ký ngày 2024-01-31',
      'Đọc DG13 xong',
    ])
      expect(offences(bad), bad).not.toEqual([]);
    for (const good of [
      'Hợp lệ: thẻ thật, dữ liệu do cơ quan Công an cấp.',
      'Mã CAN phải gồm đúng 6 chữ số.',
      '31/01/2024',
    ])
      expect(offences(good), good).toEqual([]);
  });

  it('has none in any clerk-facing Vietnamese string', () => {
    const found = clerkStrings()
      .map(({ where, text }) => ({ where, text, why: offences(text) }))
      .filter((s) => s.why.length);
    expect(found).toEqual([]);
  });
});
