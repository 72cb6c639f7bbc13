// Shared front-desk page logic: language toggle, connection to the agent, the CAN / QR form, progress and errors,
// and the production flow with the demo backend (docs/demo.md): the page names its desk and gets a ticket from the
// backend (which decides purpose and fields), reads with it, posts the signed result back and shows the backend's
// decision. Each page supplies its desk and how to show the result.
// Personal data only ever goes into the DOM of this page: never to the console, storage or the URL.
import { CccdAgentClient, CccdAgentError, errorText } from '/client/index.js';

const LANG_KEY = 'cccd-demo-lang';

const COMMON = {
  vi: {
    skip: 'Bỏ qua đến nội dung chính',
    langToggle: 'English',
    langToggleLabel: 'Switch to English',
    home: 'Trang demo',
    canLabel: 'Mã CAN (6 số cuối số CCCD)',
    canHint: 'Nhập 6 chữ số rồi đặt thẻ lên đầu đọc, hoặc quét mã QR ở mặt trước thẻ bằng máy quét.',
    read: 'Đọc thẻ',
    readQr: 'Quét mã QR rồi đọc thẻ',
    cancel: 'Hủy',
    canInvalid: 'Mã CAN phải gồm đúng 6 chữ số.',
    connecting: 'Đang kết nối với dịch vụ đọc thẻ…',
    ready: 'Sẵn sàng. Nhập mã CAN hoặc quét mã QR.',
    readers: 'Số đầu đọc thẻ: {n}',
    noReaders: 'Chưa tìm thấy đầu đọc thẻ.',
    disconnected: 'Mất kết nối với dịch vụ đọc thẻ, đang kết nối lại…',
    closed: 'Không kết nối được với dịch vụ đọc thẻ.',
    done: 'Đã đọc xong thẻ.',
    progress: 'Tiến độ đọc thẻ',
    qrWaiting: 'Hãy quét mã QR ở mặt trước thẻ bằng máy quét…',
    stage: {
      queued: 'Đang chờ đầu đọc thẻ…',
      'waiting-card': 'Hãy đặt thẻ CCCD lên đầu đọc.',
      'access-control': 'Đang mở chip bằng mã CAN…',
      reading: 'Đang đọc và kiểm tra thẻ. Hãy giữ yên thẻ trên đầu đọc…',
      verifying: 'Đang kiểm tra chữ ký số của cơ quan cấp thẻ…',
      done: 'Hoàn tất.',
    },
    failed: 'Chưa đọc được thẻ.',
    wrongCan: 'Chip không chấp nhận mã CAN. Hãy kiểm tra 6 số cuối của số CCCD in trên thẻ rồi nhập lại.',
    verdict: {
      authentic: 'Hợp lệ: thẻ thật, dữ liệu do cơ quan Công an cấp.',
      'genuine-data': 'Hợp lệ: dữ liệu do cơ quan Công an cấp. Chưa kiểm tra được thẻ có phải bản sao hay không.',
      invalid:
        'Không hợp lệ: dữ liệu trên thẻ đã bị sửa đổi hoặc thẻ không vượt qua bước kiểm tra. Không sử dụng thông tin này.',
      'unknown-csca':
        'Chưa xác minh được nguồn gốc thẻ: máy tính này chưa cài chứng thư số gốc của cơ quan cấp thẻ. Hãy báo cho bộ phận kỹ thuật.',
      'not-checked': 'Chưa kiểm tra được thẻ thật hay giả. Hãy đối chiếu thông tin in trên thẻ với giấy tờ gốc.',
      refused: 'Không được dùng: máy chủ đã từ chối kết quả đọc thẻ này (xem lý do ngay bên dưới).',
      'no-decision':
        'Chưa được dùng: máy chủ chưa xác nhận kết quả đọc thẻ này. Hãy đọc lại thẻ; nếu vẫn không được, hãy báo cho bộ phận kỹ thuật.',
    },
    verdictLabel: 'Kết quả xác thực',
    verdictLabelPending: 'Kết quả của máy đọc thẻ',
    verdictPending: 'Đang kiểm tra với máy chủ… Chưa dùng dữ liệu của thẻ cho đến khi máy chủ xác nhận.',
    simulated: 'MÔ PHỎNG — thẻ mô phỏng, dữ liệu giả lập: không phải thẻ CCCD thật.',
    verdictSimulated: 'Thẻ mô phỏng dùng để thử: dữ liệu giả lập, không phải thẻ CCCD thật.',
    details: 'Chi tiết kỹ thuật (dành cho bộ phận kỹ thuật)',
    gate: {
      title: 'Dữ liệu của thẻ này chưa được sử dụng.',
      reasonLabel: 'Lý do vẫn sử dụng dữ liệu (bắt buộc)',
      override: 'Vẫn sử dụng dữ liệu (tôi chịu trách nhiệm)',
      reasonMissing: 'Hãy ghi rõ lý do (ít nhất 5 ký tự).',
      overridden: 'Dữ liệu CHƯA được xác thực, được sử dụng theo quyết định của cán bộ tiếp nhận. Lý do: {reason}',
    },
    decision: {
      label: 'Máy chủ',
      accepted: 'Đã chấp nhận: chữ ký của máy đọc thẻ hợp lệ, dữ liệu đã được máy chủ xác minh lại.',
      acceptedPartly:
        'Đã chấp nhận: chữ ký của máy đọc thẻ hợp lệ. Máy chủ đối chiếu lại được một phần dữ liệu với chip, phần còn lại do máy đọc thẻ xác nhận.',
      acceptedSimulated:
        'Đã chấp nhận để thử nghiệm: chữ ký của máy đọc thẻ hợp lệ, nhưng đây là thẻ MÔ PHỎNG, không phải thẻ CCCD thật.',
      refused: 'Từ chối kết quả đọc thẻ:',
      error: 'Không nhận được quyết định của máy chủ (mất kết nối, máy chủ gặp sự cố hoặc quá thời gian chờ).',
      pending: 'Đang kiểm tra kết quả đọc thẻ…',
    },
    backendDown: 'Không lấy được phiếu đọc thẻ từ máy chủ. Hãy chạy lại bằng lệnh npm start.',
    male: 'Nam',
    female: 'Nữ',
    noExpiry: 'Không thời hạn',
    unknown: '(không đọc được)',
  },
  en: {
    skip: 'Skip to main content',
    langToggle: 'Tiếng Việt',
    langToggleLabel: 'Chuyển sang tiếng Việt',
    home: 'Demo pages',
    canLabel: 'CAN (last 6 digits of the ID number)',
    canHint: 'Enter the 6 digits, then place the card on the reader. Or use the QR scanner on the card front.',
    read: 'Read card',
    readQr: 'Scan QR code and read',
    cancel: 'Cancel',
    canInvalid: 'The CAN is exactly 6 digits.',
    connecting: 'Connecting to the card agent…',
    ready: 'Ready. Enter the CAN or scan the QR code.',
    readers: 'Readers: {n}',
    noReaders: 'No card reader found yet.',
    disconnected: 'Connection lost, reconnecting…',
    closed: 'Cannot reach the card agent.',
    done: 'The card was read.',
    progress: 'Card read progress',
    qrWaiting: 'Scan the QR code on the card with the scanner…',
    stage: {
      queued: 'Waiting for the reader…',
      'waiting-card': 'Place the CCCD on the reader.',
      'access-control': 'Opening the chip with the CAN…',
      reading: 'Reading and checking the card. Hold it still on the reader…',
      verifying: "Checking the issuing authority's signature…",
      done: 'Done.',
    },
    failed: 'The card was not read.',
    wrongCan: 'The chip did not accept the CAN. Check the last 6 digits printed on the card and type them again.',
    verdict: {
      authentic: 'Valid: a genuine card, data issued by the Police.',
      'genuine-data': 'Valid: data issued by the Police. Whether the card is a copy could not be checked.',
      invalid: 'Invalid: the data on the card was altered or the card failed the checks. Do not use this data.',
      'unknown-csca':
        "The card's origin is not verified: this computer lacks the issuing authority's root certificate. Tell IT.",
      'not-checked': 'Whether the card is genuine was not checked. Compare with an original document.',
      refused: 'Not to be used: the backend refused this read (see the reasons just below).',
      'no-decision':
        'Not to be used yet: the backend has not confirmed this read. Read the card again; if that fails, tell IT.',
    },
    verdictLabel: 'Authenticity',
    verdictLabelPending: "The reader's result",
    verdictPending: "Checking with the backend… The card's data is not used until the backend confirms.",
    simulated: 'SIMULATED — a simulated card with invented data: not a real CCCD.',
    verdictSimulated: 'A simulated card for testing: invented data, not a real CCCD.',
    details: 'Technical details (for IT)',
    gate: {
      title: "This card's data is not used yet.",
      reasonLabel: 'Reason to use the data anyway (required)',
      override: 'Use the data anyway, on my responsibility',
      reasonMissing: 'Write down the reason (at least 5 characters).',
      overridden: 'The data is NOT verified and used on the clerk’s decision. Reason: {reason}',
    },
    decision: {
      label: 'Backend',
      accepted: "Accepted: the kiosk's signature is valid and the backend re-verified the data.",
      acceptedPartly:
        "Accepted: the kiosk's signature is valid. The backend re-checked part of the data against the chip; the kiosk vouches for the rest.",
      acceptedSimulated:
        "Accepted for testing: the kiosk's signature is valid, but this is a SIMULATED card, not a real CCCD.",
      refused: 'The read result was refused:',
      error: 'No decision from the backend (unreachable, failing, or no answer in time).',
      pending: 'Checking the read result…',
    },
    backendDown: 'No ticket from the backend. Run it again with npm start.',
    male: 'Male',
    female: 'Female',
    noExpiry: 'No expiry',
    unknown: '(unreadable)',
  },
};

let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
const dictionaries = { vi: { ...COMMON.vi }, en: { ...COMMON.en } };
const langListeners = [];

export const $ = (id) => document.getElementById(id);

export function currentLang() {
  return lang;
}

/** Text for a key ('stage.dg2' style paths allowed), with {name} placeholders. */
export function t(key, vars = {}) {
  let v = dictionaries[lang];
  for (const part of key.split('.')) v = v?.[part];
  if (typeof v !== 'string') return key;
  return v.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

export function onLangChange(fn) {
  langListeners.push(fn);
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]'))
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = title.textContent;
  for (const fn of langListeners) fn(lang);
}

/** Registers page texts, wires the language toggle and translates the page. */
export function initPage(pageTexts) {
  Object.assign(dictionaries.vi, pageTexts.vi);
  Object.assign(dictionaries.en, pageTexts.en);
  $('lang-toggle')?.addEventListener('click', () => {
    lang = lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem(LANG_KEY, lang);
    applyLang();
  });
  applyLang();
}

// ---------- formatting ----------

/** ISO YYYY-MM-DD → dd/mm/yyyy (the format of DG13 and of the BHXH gateway). */
export function vnDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

export function sexText(sex) {
  return sex === 'M' ? t('male') : sex === 'F' ? t('female') : '';
}

export function expiryText(value) {
  return value === 'none' ? t('noExpiry') : vnDate(value);
}

/** The "simulated" banner: a simulated card is never genuine, whatever its verdict says (result.simulated is signed). */
function simulatedMarker() {
  const marker = document.createElement('p');
  marker.className = 'simulated-marker';
  marker.setAttribute('role', 'note');
  const icon = document.createElement('span');
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = '⚠ ';
  marker.append(icon, document.createTextNode(t('simulated')));
  return marker;
}

const PASSING = ['authentic', 'genuine-data'];
const VERDICTS = [...PASSING, 'invalid', 'unknown-csca', 'not-checked'];

/** The reasons of a verification for IT (warnings and errors, never info). */
function verificationReasons(v) {
  return [...v.passive.reasons, ...(v.chip.reasons ?? []), ...(v.active.reasons ?? []), ...(v.reasons ?? [])].filter(
    (r) => r.severity !== 'info',
  );
}

/**
 * The verdict the page shows and acts on, from the read and the backend's decision on it (docs/demo.md): the backend
 * decides, so the card's data is usable only once the backend accepted the read and its own verdict passes.
 * - pending (`decision` undefined): the agent's verdict, marked as being checked with the backend; not usable yet.
 * - accepted: the backend's own verdict (`decision.overall`, from the evidence it re-verified; the agent's only when
 *   the backend had no evidence to re-verify), usable when it passes (authentic, genuine-data).
 * - refused: the backend's verdict when that is what it refused (invalid, unknown-csca, not-checked), otherwise
 *   'refused' (replayed, agent not enrolled, fields mismatch…); never usable.
 * - no decision (`null`: unreachable, an error, or no answer in time): 'no-decision'; never usable.
 */
export function verdictView(result, decision) {
  const agent = result.verification;
  if (decision === undefined)
    return { state: 'pending', overall: agent.overall, reasons: verificationReasons(agent), usable: false };
  if (decision?.accepted === true) {
    const overall = decision.overall ?? agent.overall;
    if (VERDICTS.includes(overall))
      return {
        state: 'accepted',
        overall,
        reasons: (decision.reasons ?? []).filter((r) => r.severity !== 'info'),
        usable: PASSING.includes(overall),
      };
  }
  if (decision?.accepted === false) {
    const overall =
      VERDICTS.includes(decision.overall) && !PASSING.includes(decision.overall) ? decision.overall : 'refused';
    return { state: 'refused', overall, reasons: verificationReasons(agent), usable: false };
  }
  return { state: 'error', overall: 'no-decision', reasons: verificationReasons(agent), usable: false };
}

/**
 * Renders the verdict block of a `verdictView`: ONE plain sentence for the clerk first (colour and icon only as extra
 * cues), the technical reasons (warnings and errors, never info) behind a "technical details" toggle for IT. While
 * the backend's decision is pending, the sentence is the agent's, labelled as the reader's and followed by "checking
 * with the backend". `simulated` (the result's signed flag) puts the "simulated" banner above the verdict, and a
 * simulated card is never called genuine.
 */
export function renderVerdict(container, view, simulated = false) {
  const open = container.querySelector('details')?.open ?? false;
  container.replaceChildren();
  container.dataset.verdict = view.overall;
  container.dataset.state = view.state;
  if (simulated) {
    container.dataset.simulated = 'true';
    container.append(simulatedMarker());
  } else delete container.dataset.simulated;
  const heading = document.createElement('p');
  heading.className = 'verdict-text';
  const pass = PASSING.includes(view.overall);
  const icon =
    view.state === 'pending'
      ? '…'
      : simulated && pass
        ? '⚠'
        : {
            authentic: '✔',
            'genuine-data': '✔',
            invalid: '✖',
            refused: '✖',
            'unknown-csca': '?',
            'no-decision': '?',
            'not-checked': '–',
          }[view.overall];
  const iconEl = document.createElement('span');
  iconEl.setAttribute('aria-hidden', 'true');
  iconEl.textContent = `${icon} `;
  const label = document.createElement('strong');
  label.textContent = `${t(view.state === 'pending' ? 'verdictLabelPending' : 'verdictLabel')}: `;
  // A simulated card is never called genuine: a passing verdict only means the test CSCA's signatures match.
  const text = simulated && pass ? t('verdictSimulated') : t(`verdict.${view.overall}`);
  heading.append(iconEl, label, document.createTextNode(text));
  container.append(heading);
  if (view.state === 'pending') {
    const pending = document.createElement('p');
    pending.className = 'verdict-pending';
    pending.setAttribute('role', 'status');
    pending.textContent = t('verdictPending');
    container.append(pending);
  }
  if (view.reasons.length) {
    const details = document.createElement('details');
    details.className = 'tech';
    details.open = open;
    const summary = document.createElement('summary');
    summary.textContent = t('details');
    const list = document.createElement('ul');
    list.className = 'reasons';
    for (const r of view.reasons) {
      const li = document.createElement('li');
      li.dataset.severity = r.severity;
      li.dataset.code = r.code;
      li.textContent = r.message?.[lang] ?? r.code;
      list.append(li);
    }
    details.append(summary, list);
    container.append(details);
  }
}

/**
 * The guard between a read and the page's use of its data, on a `verdictView`. While the backend's decision is
 * pending, nothing is used and no override is offered. A usable view (the backend accepted a passing verdict) goes
 * through at once. Any other (a failing verdict, a refusal, no decision) shows "not used" with a required reason field
 * and an override button: the data is used only when the clerk types a reason and presses it, and then
 * `onUse({ overridden: true, reason })` marks it as not verified. The reason stays in this page (never logged,
 * stored or sent).
 */
export function guardResult(container, view, onUse) {
  const state = { overridden: false, reason: '' };
  overriddenNote = undefined;
  container.replaceChildren();
  delete container.dataset.overridden;
  if (view.state === 'pending') {
    container.hidden = true;
    return state;
  }
  if (view.usable) {
    container.hidden = true;
    onUse(state);
    return state;
  }
  container.hidden = false;
  const title = document.createElement('p');
  title.className = 'gate-title';
  title.dataset.i18n = 'gate.title';
  title.textContent = t('gate.title');
  const label = document.createElement('label');
  label.htmlFor = 'override-reason';
  label.dataset.i18n = 'gate.reasonLabel';
  label.textContent = t('gate.reasonLabel');
  const input = document.createElement('input');
  input.id = 'override-reason';
  input.autocomplete = 'off';
  input.maxLength = 200;
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'override-btn';
  button.className = 'secondary';
  button.dataset.i18n = 'gate.override';
  button.textContent = t('gate.override');
  const problem = document.createElement('p');
  problem.className = 'gate-problem';
  problem.setAttribute('role', 'alert');
  problem.hidden = true;
  const row = document.createElement('div');
  row.className = 'row';
  row.append(input, button);
  container.append(title, label, row, problem);
  button.addEventListener('click', () => {
    const reason = input.value.trim();
    if (reason.length < 5) {
      input.setAttribute('aria-invalid', 'true');
      problem.dataset.i18n = 'gate.reasonMissing';
      problem.textContent = t('gate.reasonMissing');
      problem.hidden = false;
      input.focus();
      return;
    }
    state.overridden = true;
    state.reason = reason;
    container.dataset.overridden = 'true';
    const note = document.createElement('p');
    note.className = 'gate-overridden';
    note.textContent = t('gate.overridden', { reason });
    container.replaceChildren(note);
    overriddenNote = { note, reason };
    onUse(state);
  });
  return state;
}

/** The note of the last override, re-translated on a language change. */
let overriddenNote;
langListeners.push(() => {
  if (overriddenNote?.note.isConnected)
    overriddenNote.note.textContent = t('gate.overridden', { reason: overriddenNote.reason });
});

// ---------- the agent ----------

/** The agent's stages grouped into the phases the clerk sees, in order. */
const PHASES = ['queued', 'waiting-card', 'access-control', 'reading', 'verifying', 'done'];
const PHASE_OF_STAGE = {
  queued: 'queued',
  'waiting-card': 'waiting-card',
  'access-control': 'access-control',
  sod: 'reading',
  dg1: 'reading',
  dg2: 'reading',
  dg13: 'reading',
  dg14: 'reading',
  dg15: 'reading',
  'chip-auth': 'reading',
  'active-auth': 'reading',
  verifying: 'verifying',
  done: 'done',
};

/** The error sentence for the clerk. These pages open the chip with the CAN only: a refusal means a wrong CAN. */
function errorMessage(e) {
  if (e instanceof BackendError) return t('backendDown');
  if (!(e instanceof CccdAgentError)) return errorText('agentUnreachable', lang);
  if (e.code === 'ERR_ACCESS_DENIED') return t('wrongCan');
  return e.text(lang);
}

/** Where the demo backend is: the agent says (npm start runs both). */
let backendUrl;
async function backend() {
  if (backendUrl) return backendUrl;
  const res = await fetch('/demo/backend.json');
  if (!res.ok) throw new BackendError();
  backendUrl = (await res.json()).url.replace(/\/$/, '');
  return backendUrl;
}

class BackendError extends Error {}

/** The desk's ticket: the backend decides purpose, fields and evidence; the page only says which desk it is. */
async function fetchTicket(desk) {
  const res = await fetch(`${await backend()}/desks/${desk}/tickets`, { method: 'POST' }).catch(() => undefined);
  if (!res?.ok) throw new BackendError();
  return res.json();
}

/** How long the page waits for the backend's decision before treating the read as not confirmed. */
const DECISION_TIMEOUT_MS = 15_000;

/**
 * The signed result to the backend; its decision (200 accepted, 422 refused with reasons), or undefined when there is
 * none to go by: unreachable, another status, a body that is not a decision, no answer within DECISION_TIMEOUT_MS,
 * or the clerk cancelled.
 */
async function postResult(ticketId, result, signal) {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), DECISION_TIMEOUT_MS);
  try {
    const res = await fetch(`${await backend()}/results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticketId, result }),
      signal: AbortSignal.any([signal, timeout.signal]),
    });
    if (res.status !== 200 && res.status !== 422) return undefined;
    const decision = await res.json();
    // Accepted only as an explicit `accepted: true` with 200: anything else is not a decision to act on.
    if (typeof decision?.accepted !== 'boolean' || decision.accepted !== (res.status === 200)) return undefined;
    return decision;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The backend's decision, next to the verdict: accepted (and whether the card was simulated, which is never
 * "genuine") or refused with its reasons in the page's language. `undefined` decision: pending; `null`: not sent.
 */
export function renderDecision(container, decision) {
  container.hidden = false;
  container.replaceChildren();
  const state =
    decision === undefined ? 'pending' : decision === null ? 'error' : decision.accepted ? 'accepted' : 'refused';
  container.dataset.decision = state;
  if (decision?.code) container.dataset.code = decision.code;
  else delete container.dataset.code;
  if (decision?.accepted && decision.simulated) container.dataset.simulated = 'true';
  else delete container.dataset.simulated;
  const line = document.createElement('p');
  const label = document.createElement('strong');
  label.textContent = `${t('decision.label')}: `;
  // The backend names the released fields it could not compare with signed chip data (claimedFields): then it
  // did not re-verify "the data", only part of it.
  const partly = state === 'accepted' && (decision.claimedFields?.length ?? 0) > 0;
  const key = state === 'accepted' && decision.simulated ? 'acceptedSimulated' : partly ? 'acceptedPartly' : state;
  line.append(label, document.createTextNode(t(`decision.${key}`)));
  container.append(line);
  if (state === 'refused') {
    const list = document.createElement('ul');
    list.className = 'reasons';
    for (const r of decision.reasons ?? []) {
      if (r.severity === 'info') continue;
      const li = document.createElement('li');
      li.dataset.code = r.code;
      li.textContent = r.message?.[lang] ?? r.code;
      list.append(li);
    }
    container.append(list);
  }
}

/**
 * Wires the CAN/QR form to the agent. `onResult(result, decision)` renders a read: first with `decision` undefined
 * while the backend checks it (the page shows the verdict and no data), then with the backend's decision, or null
 * when there is none (see `verdictView`). `onReset()` clears the previous read.
 * Each read uses a fresh session (a fresh ticket and nonce from the backend), and its signed result goes back to the
 * backend, whose decision is shown in #decision.
 */
export function startReader({ desk, onResult, onReset }) {
  const status = $('status');
  const error = $('error');
  const progress = $('progress');
  const form = $('can-form');
  const can = $('can');
  const readBtn = $('read-btn');
  const qrBtn = $('qr-btn');
  const cancelBtn = $('cancel-btn');
  let statusKey = 'connecting';
  let statusVars = {};
  let lastError;
  let client;
  let sessionUsed = false;
  let abort;
  let ticket;
  let lastDecision = null;
  const decisionEl = $('decision');

  const setStatus = (key, vars = {}) => {
    statusKey = key;
    statusVars = vars;
    status.textContent = t(key, vars);
  };
  const showError = (e) => {
    lastError = e;
    error.textContent = e ? errorMessage(e) : '';
    error.hidden = !e;
  };
  onLangChange(() => {
    status.textContent = t(statusKey, statusVars);
    showError(lastError);
    if (!decisionEl.hidden) renderDecision(decisionEl, lastDecision);
  });
  const busy = (on) => {
    readBtn.disabled = on;
    qrBtn.disabled = on;
    can.disabled = on;
    cancelBtn.hidden = !on;
    progress.hidden = !on;
  };

  async function connect() {
    client?.close();
    client = new CccdAgentClient({ connectTimeoutMs: 8000 });
    client.on('disconnected', ({ willReconnect }) => setStatus(willReconnect ? 'disconnected' : 'closed'));
    client.on('ready', () => setStatus('ready'));
    sessionUsed = false;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1`;
    await client.connect(url, {
      getTicket: async () => {
        ticket = await fetchTicket(desk);
        return ticket.ticket;
      },
    });
    document.body.dataset.agent = 'ready';
    setStatus('ready');
  }

  async function read(accessKey) {
    showError(undefined);
    onReset?.();
    decisionEl.hidden = true;
    delete document.body.dataset.read;
    delete document.body.dataset.decision;
    busy(true);
    progress.value = 0;
    // The page says "place the card" at once; a brief "queued" from the agent afterwards would step back.
    let phase = PHASES.indexOf('waiting-card');
    abort = new AbortController();
    try {
      if (client?.state !== 'ready' || sessionUsed) {
        setStatus('connecting');
        await connect();
      }
      sessionUsed = true;
      setStatus(accessKey.fromQrScanner ? 'qrWaiting' : 'stage.waiting-card');
      const result = await client.read({
        fields: ticket.fields,
        accessKey,
        purpose: ticket.purpose,
        includeEvidence: ticket.includeEvidence,
        signal: abort.signal,
        onProgress: ({ stage, percent }) => {
          progress.value = Math.max(progress.value, percent);
          const p = PHASE_OF_STAGE[stage] ?? 'reading';
          // One bar for the whole read, in phases a clerk understands, never going back (CA runs between files).
          if (PHASES.indexOf(p) >= phase) {
            phase = PHASES.indexOf(p);
            setStatus(`stage.${p}`);
          }
        },
      });
      setStatus('done');
      // Nothing from the card is usable until the backend has decided: the verdict, "checking", no data.
      lastDecision = undefined;
      renderDecision(decisionEl, lastDecision);
      onResult(result, undefined);
      document.body.dataset.read = 'done';
      lastDecision = (await postResult(ticket.ticketId, result, abort.signal)) ?? null;
      renderDecision(decisionEl, lastDecision);
      onResult(result, lastDecision);
      document.body.dataset.decision = decisionEl.dataset.decision;
    } catch (e) {
      // Not "ready": the read failed and the error says what to do next.
      setStatus(client?.state === 'ready' ? 'failed' : 'closed');
      showError(e);
      document.body.dataset.read = 'error';
    } finally {
      busy(false);
      can.value = '';
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = can.value.trim();
    if (!/^\d{6}$/.test(value)) {
      can.setAttribute('aria-invalid', 'true');
      showError(undefined);
      error.textContent = t('canInvalid');
      error.hidden = false;
      can.focus();
      return;
    }
    can.removeAttribute('aria-invalid');
    read({ can: value });
  });
  qrBtn.addEventListener('click', () => read({ fromQrScanner: true }));
  cancelBtn.addEventListener('click', () => abort?.abort());

  setStatus('connecting');
  connect().catch((e) => {
    setStatus('closed');
    showError(e);
  });
}

/** Fills a <dd id="f-NAME"> list from the result; `unverified` marks every value as not verified. */
export function fillList(values, unverified = false) {
  for (const [name, text] of Object.entries(values)) {
    const el = $(`f-${name}`);
    if (!el) continue;
    el.textContent = text || t('unknown');
    el.classList.toggle('unverified', unverified);
  }
}

/** Empties a <dd id="f-NAME"> list. */
export function clearList(names) {
  for (const name of names) {
    const el = $(`f-${name}`);
    if (!el) continue;
    el.textContent = '';
    el.classList.remove('unverified');
  }
}
