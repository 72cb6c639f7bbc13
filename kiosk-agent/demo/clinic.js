// Clinic check-in: exactly what the HIS backend needs for the BHXH lookup (maThe = 12-digit ID, hoTen with
// diacritics, ngaySinh dd/mm/yyyy), plus sex and address for the patient record. No photo, no sensitive fields.
// The verdict comes first, and nothing from the card shows until the backend has decided. The BHXH copy box is
// offered only for a read the backend accepted as valid (authentic or genuine-data); the fields of any other read
// (a failing verdict, a refusal, no decision) only show once the clerk overrides with a typed reason, marked "not
// verified".
import {
  $,
  clearList,
  fillList,
  guardResult,
  initPage,
  onLangChange,
  renderVerdict,
  sexText,
  startReader,
  t,
  verdictView,
  vnDate,
} from './common.js';

const FIELDS = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'];
let last;
let view;
let use;

initPage({
  vi: {
    title: 'Tiếp đón người bệnh — đọc thẻ CCCD',
    heading: 'Tiếp đón người bệnh — đọc thẻ CCCD',
    readHeading: 'Đọc thẻ CCCD của người bệnh',
    resultHeading: 'Thông tin tra cứu BHXH',
    idNumber: 'Số CCCD (dùng làm mã thẻ BHYT)',
    fullName: 'Họ và tên',
    dateOfBirth: 'Ngày sinh',
    sex: 'Giới tính',
    placeOfResidence: 'Nơi thường trú',
    copyHeading: 'Sao chép để tra cứu BHXH',
    copyHint:
      'Dán vào phần mềm HIS của bệnh viện; máy chủ bệnh viện sẽ gửi mã thẻ (maThe), họ tên (hoTen) và ngày sinh (ngaySinh) lên cổng BHXH để tra cứu.',
    copy: 'Sao chép',
    copied: 'Đã sao chép.',
    copyFailed: 'Không sao chép được. Hãy chọn nội dung rồi sao chép thủ công.',
    copySimulated: 'Thẻ mô phỏng: chỉ dùng để thử phần mềm HIS, không dùng để tra cứu hồ sơ thật.',
  },
  en: {
    title: 'Patient check-in — read the CCCD',
    heading: 'Patient check-in — read the CCCD',
    readHeading: "Read the patient's CCCD",
    resultHeading: 'Social insurance (BHXH) lookup data',
    idNumber: 'ID number (card code)',
    fullName: 'Full name',
    dateOfBirth: 'Date of birth',
    sex: 'Sex',
    placeOfResidence: 'Permanent residence',
    copyHeading: 'Copy for the BHXH lookup',
    copyHint: 'Paste into the HIS; the hospital server calls the BHXH gateway with maThe, hoTen, ngaySinh.',
    copy: 'Copy',
    copied: 'Copied.',
    copyFailed: 'Could not copy; select the text and copy it by hand.',
    copySimulated: 'Simulated card: for testing the HIS only, never for a real lookup.',
  },
});

/** The BHXH gateway's lookup body, minus the operator fields the backend adds (hoTenCb, cccdCb). */
function bhxhBlock(f) {
  return JSON.stringify({ maThe: f.idNumber ?? '', hoTen: f.fullName ?? '', ngaySinh: vnDate(f.dateOfBirth) }, null, 2);
}

function show(result) {
  const f = result.fields;
  fillList(
    {
      idNumber: f.idNumber,
      fullName: f.fullName,
      dateOfBirth: vnDate(f.dateOfBirth),
      sex: sexText(f.sex),
      placeOfResidence: f.placeOfResidence,
    },
    use.overridden,
  );
  $('fields').hidden = false;
  // The copy box feeds another system: never offered for a card that is not valid, even after an override.
  const copy = view.usable;
  $('copy-box').hidden = !copy;
  $('bhxh').textContent = copy ? bhxhBlock(f) : '';
  $('copy-simulated').textContent = copy && result.simulated ? t('copySimulated') : '';
}

function hideData() {
  clearList(FIELDS);
  $('fields').hidden = true;
  $('copy-box').hidden = true;
  $('bhxh').textContent = '';
  $('copy-status').textContent = '';
}

function render(result, decision) {
  last = result;
  view = verdictView(result, decision);
  use = undefined;
  hideData();
  renderVerdict($('verdict'), view, result.simulated);
  $('result').hidden = false;
  guardResult($('gate'), view, (state) => {
    use = state;
    show(result);
  });
}

onLangChange(() => {
  if (!last) return;
  renderVerdict($('verdict'), view, last.simulated);
  if (use) show(last);
});

$('copy-btn').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('bhxh').textContent);
    $('copy-status').textContent = t('copied');
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('bhxh'));
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
    $('copy-status').textContent = t('copyFailed');
  }
});

startReader({
  desk: 'clinic',
  onResult: render,
  onReset: () => {
    last = undefined;
    view = undefined;
    use = undefined;
    hideData();
    $('result').hidden = true;
  },
});
