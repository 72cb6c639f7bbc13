// Shared front-desk page logic: language toggle, demo ticket, connection to the agent, the CAN / QR form,
// progress and errors. Each page supplies its purpose, its fields and how to show the result.
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
    canHint: 'Nhập 6 chữ số rồi đặt thẻ lên đầu đọc. Hoặc dùng máy quét QR ở mặt thẻ.',
    read: 'Đọc thẻ',
    readQr: 'Quét mã QR rồi đọc',
    cancel: 'Hủy',
    canInvalid: 'Mã CAN gồm đúng 6 chữ số.',
    connecting: 'Đang kết nối dịch vụ đọc thẻ…',
    ready: 'Sẵn sàng. Nhập mã CAN hoặc quét mã QR.',
    readers: 'Đầu đọc: {n}',
    noReaders: 'Chưa thấy đầu đọc thẻ.',
    disconnected: 'Mất kết nối, đang thử kết nối lại…',
    closed: 'Không kết nối được dịch vụ đọc thẻ.',
    done: 'Đã đọc xong thẻ.',
    progress: 'Tiến độ đọc thẻ',
    qrWaiting: 'Hãy quét mã QR trên thẻ bằng máy quét…',
    stage: {
      queued: 'Đang xếp hàng chờ đầu đọc…',
      'waiting-card': 'Đang chờ thẻ. Hãy đặt thẻ CCCD lên đầu đọc.',
      'access-control': 'Đang mở chip (PACE/BAC)…',
      sod: 'Đang đọc chữ ký số của thẻ (SOD)…',
      dg1: 'Đang đọc vùng MRZ…',
      dg2: 'Đang đọc ảnh chân dung…',
      dg13: 'Đang đọc thông tin cá nhân…',
      dg14: 'Đang đọc khóa xác thực chip…',
      dg15: 'Đang đọc khóa xác thực chủ động…',
      'chip-auth': 'Đang xác thực chip (chống sao chép)…',
      'active-auth': 'Đang xác thực chủ động…',
      verifying: 'Đang kiểm tra chữ ký số…',
      done: 'Hoàn tất.',
    },
    verdict: {
      authentic: 'Hợp lệ — chip thật, dữ liệu do cơ quan Công an cấp',
      'genuine-data': 'Hợp lệ — dữ liệu do cơ quan Công an cấp (chưa xác thực chống sao chép chip)',
      invalid: 'Không hợp lệ — dữ liệu hoặc chip không qua kiểm tra',
      'unknown-csca': 'Chưa có chứng thư gốc CSCA — chưa xác minh được nguồn gốc thẻ',
      'not-checked': 'Chưa kiểm tra tính xác thực',
    },
    verdictLabel: 'Kết quả xác thực',
    simulated: 'MÔ PHỎNG — thẻ mô phỏng, dữ liệu giả lập: không phải thẻ CCCD thật.',
    verdictSimulated: 'Thẻ mô phỏng — chữ ký khớp CSCA thử nghiệm, không chứng minh được thẻ thật',
    reasons: 'Lý do',
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
      'waiting-card': 'Waiting for the card. Place the CCCD on the reader.',
      'access-control': 'Opening the chip (PACE/BAC)…',
      sod: 'Reading the card signature (SOD)…',
      dg1: 'Reading the MRZ…',
      dg2: 'Reading the portrait…',
      dg13: 'Reading personal data…',
      dg14: 'Reading the chip authentication key…',
      dg15: 'Reading the active authentication key…',
      'chip-auth': 'Chip authentication (anti-cloning)…',
      'active-auth': 'Active authentication…',
      verifying: 'Checking digital signatures…',
      done: 'Done.',
    },
    verdict: {
      authentic: 'Valid — genuine chip, data issued by the Police',
      'genuine-data': 'Valid — data issued by the Police (chip not proven against cloning)',
      invalid: 'Invalid — the data or the chip failed verification',
      'unknown-csca': 'CSCA unknown — the root certificate is missing, origin not verified',
      'not-checked': 'Authenticity not checked',
    },
    verdictLabel: 'Authenticity',
    simulated: 'SIMULATED — a simulated card with invented data: not a real CCCD.',
    verdictSimulated: 'Simulated card — signatures match the test CSCA, which proves no real card',
    reasons: 'Reasons',
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

/**
 * Renders the verdict block: plain words first, colour and icon only as extra cues. `simulated` (the result's
 * signed flag) puts the "simulated" banner above the verdict.
 */
export function renderVerdict(container, verification, simulated = false) {
  container.replaceChildren();
  container.dataset.verdict = verification.overall;
  if (simulated) {
    container.dataset.simulated = 'true';
    container.append(simulatedMarker());
  } else delete container.dataset.simulated;
  const heading = document.createElement('p');
  heading.className = 'verdict-text';
  const icon = simulated
    ? '⚠'
    : { authentic: '✔', 'genuine-data': '✔', invalid: '✖', 'unknown-csca': '?', 'not-checked': '–' }[
        verification.overall
      ];
  const iconEl = document.createElement('span');
  iconEl.setAttribute('aria-hidden', 'true');
  iconEl.textContent = `${icon} `;
  const label = document.createElement('strong');
  label.textContent = `${t('verdictLabel')}: `;
  // A simulated card is never called genuine: a passing verdict only means the test CSCA's signatures match.
  const passing = verification.overall === 'authentic' || verification.overall === 'genuine-data';
  const text = simulated && passing ? t('verdictSimulated') : t(`verdict.${verification.overall}`);
  heading.append(iconEl, label, document.createTextNode(text));
  container.append(heading);
  const reasons = [
    ...verification.passive.reasons,
    ...(verification.chip.reasons ?? []),
    ...(verification.active.reasons ?? []),
    ...(verification.reasons ?? []),
  ].filter((r) => r.severity !== 'info' || verification.overall !== 'authentic');
  if (reasons.length) {
    const title = document.createElement('p');
    title.textContent = `${t('reasons')}:`;
    const list = document.createElement('ul');
    list.className = 'reasons';
    for (const r of reasons) {
      const li = document.createElement('li');
      li.dataset.severity = r.severity;
      li.textContent = r.message[lang];
      list.append(li);
    }
    container.append(title, list);
  }
}

// ---------- the agent ----------

async function fetchTicket(purpose, fields) {
  const res = await fetch('/demo/ticket', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ purpose, fields }),
  });
  if (!res.ok) throw new Error(`ticket request failed (${res.status})`);
  return (await res.json()).ticket;
}

/**
 * Wires the CAN/QR form to the agent. `onResult(result)` renders a read; `onReset()` clears the previous one.
 * Each read uses a fresh session (a fresh ticket and nonce), as a production backend would.
 */
export function startReader({ purpose, fields, includeEvidence = false, onResult, onReset }) {
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

  const setStatus = (key, vars = {}) => {
    statusKey = key;
    statusVars = vars;
    status.textContent = t(key, vars);
  };
  const showError = (e) => {
    lastError = e;
    error.textContent = e ? (e instanceof CccdAgentError ? e.text(lang) : errorText('agentUnreachable', lang)) : '';
    error.hidden = !e;
  };
  onLangChange(() => {
    status.textContent = t(statusKey, statusVars);
    showError(lastError);
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
    await client.connect(url, { getTicket: () => fetchTicket(purpose, fields) });
    document.body.dataset.agent = 'ready';
    setStatus('ready');
  }

  async function read(accessKey) {
    showError(undefined);
    onReset?.();
    delete document.body.dataset.read;
    busy(true);
    progress.value = 0;
    abort = new AbortController();
    try {
      if (client?.state !== 'ready' || sessionUsed) {
        setStatus('connecting');
        await connect();
      }
      sessionUsed = true;
      setStatus(accessKey.fromQrScanner ? 'qrWaiting' : 'stage.waiting-card');
      const result = await client.read({
        fields,
        accessKey,
        purpose,
        includeEvidence,
        signal: abort.signal,
        onProgress: ({ stage, percent }) => {
          progress.value = percent;
          setStatus(`stage.${stage}`);
        },
      });
      setStatus('done');
      onResult(result);
      document.body.dataset.read = 'done';
    } catch (e) {
      setStatus(client?.state === 'ready' ? 'ready' : 'closed');
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

/** Fills a <dd id="f-NAME"> list from the result. */
export function fillList(values) {
  for (const [name, text] of Object.entries(values)) {
    const el = $(`f-${name}`);
    if (el) el.textContent = text || t('unknown');
  }
}
