// Commune office: fill the citizen's form from the chip. Only the fields the form has are requested (no photo,
// ethnicity, religion or family names); everything stays editable and marked as filled from the card.
// The verdict comes first, nothing fills the form until the backend has decided, and a read that is not usable (a
// failing verdict, a refusal, no decision) never fills it silently: only when the clerk types a reason and overrides,
// and then every field is marked "not verified".
import {
  $,
  expiryText,
  guardResult,
  initPage,
  onLangChange,
  renderVerdict,
  startReader,
  t,
  verdictView,
  vnDate,
} from './common.js';

const FIELDS = [
  'fullName',
  'dateOfBirth',
  'sex',
  'nationality',
  'idNumber',
  'dateOfIssue',
  'dateOfExpiry',
  'placeOfOrigin',
  'placeOfResidence',
];
let last;
let view;

initPage({
  vi: {
    title: 'Bộ phận một cửa UBND xã/phường — điền tờ khai từ thẻ CCCD',
    heading: 'Bộ phận một cửa UBND xã/phường — điền tờ khai từ thẻ CCCD',
    readHeading: 'Đọc thẻ để điền tờ khai',
    formHeading: 'Tờ khai',
    fullName: 'Họ, chữ đệm và tên',
    dateOfBirth: 'Ngày, tháng, năm sinh',
    sex: 'Giới tính',
    nationality: 'Quốc tịch',
    idNumber: 'Số CCCD',
    dateOfIssue: 'Ngày cấp',
    dateOfExpiry: 'Có giá trị đến',
    placeOfOrigin: 'Quê quán',
    placeOfResidence: 'Nơi thường trú',
    clear: 'Xóa nội dung tờ khai',
    filled: 'Đã điền {n} ô từ thẻ. Hãy cùng công dân kiểm tra lại trước khi nộp.',
    filledSimulated: 'Đã điền {n} ô từ thẻ mô phỏng (dữ liệu giả lập): không dùng cho hồ sơ thật.',
    filledUnverified: 'Đã điền {n} ô từ thẻ CHƯA được xác thực: hãy đối chiếu từng ô với giấy tờ gốc.',
  },
  en: {
    title: 'Commune office — fill a form from the CCCD',
    heading: 'Commune office — fill a form from the CCCD',
    readHeading: 'Read the card to fill the form',
    formHeading: 'Application form',
    fullName: 'Full name',
    dateOfBirth: 'Date of birth (dd/mm/yyyy)',
    sex: 'Sex',
    nationality: 'Nationality',
    idNumber: 'ID number',
    dateOfIssue: 'Date of issue',
    dateOfExpiry: 'Valid until',
    placeOfOrigin: 'Place of origin',
    placeOfResidence: 'Permanent residence',
    clear: 'Clear form',
    filled: '{n} fields filled from the card. Check them with the citizen before submitting.',
    filledSimulated: '{n} fields filled from a simulated card (invented data): not for a real application.',
    filledUnverified:
      '{n} fields filled from a card that is NOT verified: check each one against an original document.',
  },
});

function values(f) {
  return {
    fullName: f.fullName,
    dateOfBirth: vnDate(f.dateOfBirth),
    sex: f.sex,
    nationality: f.nationality,
    idNumber: f.idNumber,
    dateOfIssue: vnDate(f.dateOfIssue),
    dateOfExpiry: expiryText(f.dateOfExpiry),
    placeOfOrigin: f.placeOfOrigin,
    placeOfResidence: f.placeOfResidence,
  };
}

function noteKey(result, use) {
  return use.overridden ? 'filledUnverified' : result.simulated ? 'filledSimulated' : 'filled';
}

function clearForm() {
  for (const name of FIELDS) {
    const el = $(`c-${name}`);
    el.value = '';
    el.classList.remove('filled', 'unverified');
  }
  const note = $('filled-note');
  note.textContent = '';
  delete note.dataset.n;
  delete note.dataset.key;
}

function fill(result, use) {
  let n = 0;
  for (const [name, value] of Object.entries(values(result.fields))) {
    const el = $(`c-${name}`);
    el.value = value ?? '';
    el.classList.toggle('filled', Boolean(value) && !use.overridden);
    el.classList.toggle('unverified', Boolean(value) && use.overridden);
    if (value) n++;
  }
  const note = $('filled-note');
  note.dataset.key = noteKey(result, use);
  note.dataset.n = String(n);
  note.textContent = t(note.dataset.key, { n });
}

function render(result, decision) {
  last = result;
  view = verdictView(result, decision);
  clearForm();
  const verdict = $('verdict');
  renderVerdict(verdict, view, result.simulated);
  verdict.hidden = false;
  guardResult($('gate'), view, (use) => fill(result, use));
}

onLangChange(() => {
  if (last) {
    const note = $('filled-note');
    if (note.dataset.key) note.textContent = t(note.dataset.key, { n: note.dataset.n });
    renderVerdict($('verdict'), view, last.simulated);
  }
});

$('civil-form').addEventListener('reset', () => {
  clearForm();
  $('verdict').hidden = true;
  $('gate').hidden = true;
  last = undefined;
});
$('civil-form').addEventListener('submit', (e) => e.preventDefault());

startReader({
  desk: 'commune',
  onResult: render,
  onReset: () => {
    last = undefined;
    clearForm();
    $('verdict').hidden = true;
    $('gate').hidden = true;
  },
});
