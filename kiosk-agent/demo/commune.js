// Commune office: fill the citizen's form from the chip. Only the fields the form has are requested (no photo,
// ethnicity, religion or family names); everything stays editable and marked as filled from the card.
import { $, expiryText, initPage, onLangChange, renderVerdict, startReader, t, vnDate } from './common.js';

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

initPage({
  vi: {
    title: 'Một cửa UBND xã/phường — điền tờ khai từ CCCD',
    heading: 'Một cửa UBND xã/phường — điền tờ khai từ CCCD',
    readHeading: 'Đọc thẻ để điền tờ khai',
    formHeading: 'Tờ khai',
    fullName: 'Họ, chữ đệm và tên',
    dateOfBirth: 'Ngày sinh (dd/mm/yyyy)',
    sex: 'Giới tính',
    nationality: 'Quốc tịch',
    idNumber: 'Số CCCD',
    dateOfIssue: 'Ngày cấp',
    dateOfExpiry: 'Có giá trị đến',
    placeOfOrigin: 'Quê quán',
    placeOfResidence: 'Nơi thường trú',
    clear: 'Xóa tờ khai',
    filled: 'Đã điền {n} ô từ chip. Hãy đối chiếu với công dân trước khi nộp.',
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
    filled: '{n} fields filled from the chip. Check them with the citizen before submitting.',
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

function render(result) {
  last = result;
  let n = 0;
  for (const [name, value] of Object.entries(values(result.fields))) {
    const el = $(`c-${name}`);
    el.value = value ?? '';
    el.classList.toggle('filled', Boolean(value));
    if (value) n++;
  }
  $('filled-note').textContent = t('filled', { n });
  $('filled-note').dataset.n = String(n);
  const verdict = $('verdict');
  renderVerdict(verdict, result.verification, result.simulated);
  verdict.hidden = false;
}

onLangChange(() => {
  if (last) {
    $('filled-note').textContent = t('filled', { n: $('filled-note').dataset.n });
    renderVerdict($('verdict'), last.verification, last.simulated);
  }
});

$('civil-form').addEventListener('reset', () => {
  for (const el of document.querySelectorAll('#civil-form .filled')) el.classList.remove('filled');
  $('filled-note').textContent = '';
  $('verdict').hidden = true;
  last = undefined;
});
$('civil-form').addEventListener('submit', (e) => e.preventDefault());

startReader({
  purpose: 'commune-form',
  fields: FIELDS,
  onResult: render,
  onReset: () => {
    last = undefined;
  },
});
