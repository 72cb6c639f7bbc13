/**
 * What `cccd diagnose` prints without --json: the chip profile as text, labels in Vietnamese or English, values
 * (OIDs, algorithm names, status words, sizes) as the profile has them. Like the profile, it holds no personal data.
 */
import type {
  ChipProfile,
  KeyProfile,
  ProbeAnswer,
  SecurityInfoProfile,
  StepFailureProfile,
} from '@cccd/emrtd/diagnose';
import type { Lang } from './i18n.js';

const L = {
  title: { vi: 'Hồ sơ chip (không có dữ liệu cá nhân)', en: 'Chip profile (no personal data)' },
  library: { vi: 'Thư viện', en: 'Library' },
  outcome: { vi: 'Kết quả', en: 'Outcome' },
  complete: { vi: 'đọc xong', en: 'read complete' },
  failed: { vi: 'dừng ở', en: 'stopped at' },
  reader: { vi: 'Đầu đọc', en: 'Reader' },
  link: { vi: 'đường truyền', en: 'link' },
  atr: { vi: 'ATR', en: 'ATR' },
  historical: { vi: 'Byte lịch sử', en: 'Historical bytes' },
  cardAccess: { vi: 'EF.CardAccess', en: 'EF.CardAccess' },
  access: { vi: 'Truy cập', en: 'Access' },
  refused: { vi: 'Bị từ chối', en: 'Refused' },
  readBinary: { vi: 'READ BINARY', en: 'READ BINARY' },
  largest: { vi: 'Lớn nhất thành công', en: 'Largest answer' },
  refusedSizes: { vi: 'Kích thước bị từ chối', en: 'Refused sizes' },
  endOfFile: { vi: 'Cuối tệp', en: 'End of file' },
  sfi: { vi: 'Đọc theo SFI', en: 'SFI reads' },
  neProbe: { vi: 'Thử Ne mở rộng', en: 'Extended Ne probe' },
  files: { vi: 'Tệp', en: 'Files' },
  sod: { vi: 'EF.SOD', en: 'EF.SOD' },
  signer: { vi: 'Chứng thư ký (DS)', en: 'Document signer' },
  dg15: { vi: 'DG15 (khóa AA)', en: 'DG15 (AA key)' },
  ca: { vi: 'Xác thực chip (CA)', en: 'Chip auth (CA)' },
  aa: { vi: 'Xác thực chủ động (AA)', en: 'Active auth (AA)' },
  verdict: { vi: 'Kết luận xác thực', en: 'Verdict' },
  timing: { vi: 'Thời gian', en: 'Timing' },
  probesFailed: { vi: 'Phép thử dừng sớm', en: 'Probes stopped' },
  yes: { vi: 'có', en: 'yes' },
  no: { vi: 'không', en: 'no' },
  unknown: { vi: 'chưa rõ', en: 'unknown' },
  notSeen: { vi: 'không thấy', en: 'not seen' },
  none: { vi: 'không', en: 'none' },
  used: { vi: 'đã dùng', en: 'used' },
  accepted: { vi: 'được chấp nhận', en: 'accepted' },
  notAccepted: { vi: 'bị từ chối', en: 'refused' },
  extended: { vi: 'độ dài mở rộng', en: 'extended length' },
  notRead: { vi: 'không đọc', en: 'not read' },
  tried: { vi: 'đã thử', en: 'tried' },
  blocks: { vi: 'khối', en: 'blocks' },
  pastEnd: { vi: 'đọc quá cuối', en: 'past the end' },
  atEnd: { vi: 'đọc tại cuối', en: 'at the end' },
  skipped: { vi: 'bỏ qua', en: 'skipped' },
  signature: { vi: 'chữ ký', en: 'signature' },
  inApdus: { vi: 'trong APDU', en: 'in APDUs' },
  readMs: { vi: 'đọc', en: 'read' },
  probes: { vi: 'phép thử', en: 'probes' },
  simulated: {
    vi: 'Lưu ý: đây là thẻ mô phỏng, không phải chip thật.',
    en: 'Note: this is a simulated card, not a real chip.',
  },
} as const;

type Key = keyof typeof L;

const pad = (label: string) => `${label}:`.padEnd(26);
const spaced = (hex: string) => hex.replace(/(..)(?=.)/g, '$1 ');

function keyText(k: KeyProfile | undefined): string {
  if (!k) return '?';
  const curve = k.curve ? ` ${k.curve}` : '';
  const explicit = k.explicitParameters ? ' (explicit parameters)' : '';
  return `${k.type}${curve}${k.bits ? ` ${k.bits} bits` : ''}${explicit}`;
}

function failureText(f: StepFailureProfile | undefined): string {
  if (!f) return '';
  return [f.step, f.sw ? `SW ${f.sw}` : undefined, f.code].filter(Boolean).join(', ');
}

function infoText(i: SecurityInfoProfile): string {
  const parts = [i.type, i.oid];
  if (i.protocol) parts.push(i.protocol);
  if (i.version !== undefined) parts.push(`v${i.version}`);
  if (i.parameterId !== undefined)
    parts.push(`parameter ${i.parameterId}${i.parameterName ? ` (${i.parameterName})` : ''}`);
  if (i.keyId !== undefined) parts.push(`keyId ${i.keyId}`);
  if (i.key) parts.push(keyText(i.key));
  if (i.signatureAlgorithm) parts.push(`signature ${i.signatureAlgorithm}`);
  return parts.join(' ');
}

const answerText = (a: ProbeAnswer) =>
  a.error ? a.error : `${a.sw ?? '?'}${a.dataBytes === undefined ? '' : ` ${a.dataBytes} B`}`;

export function diagnoseReport(p: ChipProfile, lang: Lang, options: { simulated?: boolean } = {}): string {
  const t = (k: Key) => L[k][lang];
  const yn = (v: boolean | undefined) => (v === undefined ? t('unknown') : v ? t('yes') : t('no'));
  const lines: string[] = [];
  const add = (label: string, value: string) => lines.push(`${pad(label)}${value}`);
  const sub = (label: string, value: string) => lines.push(`  ${pad(label).slice(0, 24)}${value}`);

  lines.push(t('title'));
  add(t('library'), `${p.library.name} ${p.library.version}, ${p.createdAt}`);
  add(t('outcome'), p.outcome === 'complete' ? t('complete') : `${t('failed')} ${failureText(p.failure)}`);
  const r = p.reader;
  const name = r.name ? `${r.name}${r.protocol ? ` (${r.protocol})` : ''}` : '-';
  add(t('reader'), `${name}; ${t('link')}: ${t('extended')} ${yn(r.link.extendedLength)}`);
  if (p.atr) {
    add(t('atr'), spaced(p.atr.hex));
    const caps = p.atr.cardCapabilities;
    const capsText = caps
      ? ` (${caps.selection.join(', ')}; chaining ${yn(caps.commandChaining)}; ${t('extended')} ${yn(caps.extendedLength)})`
      : '';
    add(t('historical'), `${spaced(p.atr.historicalBytes) || '-'}${capsText}`);
  }
  if (p.cardAccess) {
    add(t('cardAccess'), `${p.cardAccess.bytes} B${p.cardAccess.error ? `, ${p.cardAccess.error}` : ''}`);
    for (const i of p.cardAccess.securityInfos) lines.push(`  - ${infoText(i)}`);
  }

  const a = p.access;
  if (a.protocol) {
    const pace = a.pace ? `, ${a.pace.protocol}, parameter ${a.pace.parameterId}` : '';
    const named = a.pace?.parameterName ? ` (${a.pace.parameterName})` : '';
    add(
      t('access'),
      `${a.protocol}-${a.keyKind}${pace}${named}, ${a.cipher}; ${t('tried')} ${(a.tried ?? []).join(', ')}`,
    );
  } else add(t('access'), '-');
  if (a.refusals.length) sub(t('refused'), a.refusals.map((x) => `${x.command} → ${x.sw ?? x.error}`).join('; '));

  const rb = p.readBinary;
  const ext = rb.extendedLength;
  const extText = ext.used ? `${t('used')}, ${ext.accepted ? t('accepted') : t('notAccepted')}` : t('no');
  add(t('readBinary'), `${rb.exchanges} APDU; ${t('extended')}: ${extText}`);
  if (rb.largestAccepted)
    sub(
      t('largest'),
      `${rb.largestAccepted.responseBytes} B (Le ${rb.largestAccepted.le}${rb.largestAccepted.extended ? ', extended' : ''})`,
    );
  if (rb.refused.length)
    sub(
      t('refusedSizes'),
      rb.refused.map((x) => `Le ${x.le}${x.extended ? ' ext' : ''} → ${x.sw} ×${x.count}`).join('; '),
    );
  const eof = p.probes?.endOfFile;
  const eofSeen = rb.endOfFile.length ? rb.endOfFile.join(', ') : t('notSeen');
  sub(
    t('endOfFile'),
    eof
      ? `${eof.behaviour} (${eof.file}: ${t('pastEnd')} ${answerText(eof.pastEnd)}, ${t('atEnd')} ${answerText(eof.atEnd)})`
      : eofSeen,
  );
  const sfi = p.probes?.sfi;
  sub(
    t('sfi'),
    sfi
      ? `${yn(sfi.accepted)} (${sfi.file}: ${answerText(sfi)})`
      : rb.sfi.used
        ? `${yn(rb.sfi.accepted)}${rb.sfi.refusedSw.length ? ` (${rb.sfi.refusedSw.join(', ')})` : ''}`
        : t('notSeen'),
  );
  const ne = p.probes?.maxNe;
  if (ne)
    sub(
      `${t('neProbe')}`,
      `${ne.largestAccepted ?? '-'} (${ne.file}: ${ne.tried.map((x) => `${x.le} → ${answerText(x)}`).join('; ')})`,
    );
  if (p.probes?.error) sub(t('probesFailed'), failureText(p.probes.error));

  lines.push(`${t('files')}:`);
  for (const f of p.files) {
    const size = f.status === 'read' ? `${f.bytes} B` : f.status === 'not-read' ? t('notRead') : f.status;
    const blocks = f.blockSizes?.length ? `, ${t('blocks')} ${f.blockSizes.join('/')}` : '';
    lines.push(`  ${f.file.padEnd(6)}${size}${f.passive ? `, PA ${f.passive}` : ''}${blocks}`);
  }
  if (p.com)
    lines.push(`  EF.COM: LDS ${p.com.ldsVersion}, Unicode ${p.com.unicodeVersion}, DG ${p.com.dataGroups.join(' ')}`);

  if (p.sod) {
    const s = p.sod;
    add(
      t('sod'),
      s.error && !s.digestAlgorithm
        ? s.error
        : `hash ${s.digestAlgorithm}, ${t('signature')} ${s.signatureAlgorithm ?? '?'}, DG ${s.dataGroups.join(' ')}`,
    );
    if (s.documentSigner) sub(t('signer'), `${s.documentSigner.issuer}; ${keyText(s.documentSigner.key)}`);
  }
  if (p.dg15) add(t('dg15'), p.dg15.error ?? keyText(p.dg15.key));

  const ca = p.chipAuthentication;
  const caProto = ca.protocol ? ` — ${ca.protocol.oid}, ${ca.protocol.group}, ${ca.protocol.command}` : '';
  const skipped = (s: string | undefined) => (s ? ` (${t('skipped')}: ${s})` : '');
  add(t('ca'), `${ca.status}${caProto}${skipped(ca.skipped)}`);
  if (ca.exchanges.length) sub('APDU', ca.exchanges.map((x) => `${x.command} ${x.sw ?? x.error}`).join('; '));
  if (ca.failure) sub(t('refused'), failureText(ca.failure));
  const aa = p.activeAuthentication;
  const aaAlg = aa.algorithm ? ` — ${aa.algorithm}` : '';
  const sig = aa.signatureBytes ? `, ${t('signature')} ${aa.signatureBytes} B` : '';
  add(t('aa'), `${aa.status}${aaAlg}${sig}${skipped(aa.skipped)}`);
  if (aa.exchanges.length)
    sub('APDU', aa.exchanges.map((x) => `${x.command} ${x.sw ?? '?'} (${Math.round(x.ms)} ms)`).join('; '));
  if (aa.failure) sub(t('refused'), failureText(aa.failure));
  if (p.verification) {
    const v = p.verification;
    add(t('verdict'), `${v.overall} (PA ${v.passive}, CA ${v.chip}, AA ${v.active})`);
    if (v.missingIssuer) sub('CSCA', v.missingIssuer);
  }

  const tm = p.timing;
  const probeMs = tm.probeMs === undefined ? '' : `, ${t('probes')} ${tm.probeMs} ms`;
  add(
    t('timing'),
    `${tm.exchanges} APDU, ${Math.round(tm.apduMs)} ms ${t('inApdus')}; ${t('readMs')} ${tm.readMs} ms${probeMs}`,
  );
  for (const c of tm.byCommand)
    lines.push(`  ${c.command.padEnd(24)}×${c.count}  ${c.totalMs.toFixed(1)} ms (max ${c.maxMs.toFixed(1)})`);
  if (options.simulated) lines.push(t('simulated'));
  return `${lines.join('\n')}\n`;
}
