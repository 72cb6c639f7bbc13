// Clinic check-in: exactly what the HIS backend needs for the BHXH lookup (maThe = 12-digit ID, hoTen with
// diacritics, ngaySinh dd/mm/yyyy), plus sex and address for the patient record. No photo, no sensitive fields.
import { $, fillList, initPage, onLangChange, renderVerdict, sexText, startReader, t, vnDate } from './common.js';

const FIELDS = ['idNumber', 'fullName', 'dateOfBirth', 'sex', 'placeOfResidence'];
let last;

initPage({
  vi: {
    title: 'Tiếp đón bệnh nhân — đọc CCCD',
    heading: 'Tiếp đón bệnh nhân — đọc CCCD',
    readHeading: 'Đọc thẻ CCCD của người bệnh',
    resultHeading: 'Thông tin tra cứu BHXH',
    idNumber: 'Số CCCD (mã thẻ)',
    fullName: 'Họ và tên',
    dateOfBirth: 'Ngày sinh',
    sex: 'Giới tính',
    placeOfResidence: 'Nơi thường trú',
    copyHeading: 'Sao chép để tra cứu BHXH',
    copyHint: 'Dán vào phần mềm HIS; máy chủ bệnh viện gọi cổng BHXH với maThe, hoTen, ngaySinh.',
    copy: 'Sao chép',
    copied: 'Đã sao chép.',
    copyFailed: 'Không sao chép được; hãy chọn và sao chép thủ công.',
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
  },
});

/** The BHXH gateway's lookup body, minus the operator fields the backend adds (hoTenCb, cccdCb). */
function bhxhBlock(f) {
  return JSON.stringify({ maThe: f.idNumber ?? '', hoTen: f.fullName ?? '', ngaySinh: vnDate(f.dateOfBirth) }, null, 2);
}

function render(result) {
  last = result;
  const f = result.fields;
  fillList({
    idNumber: f.idNumber,
    fullName: f.fullName,
    dateOfBirth: vnDate(f.dateOfBirth),
    sex: sexText(f.sex),
    placeOfResidence: f.placeOfResidence,
  });
  $('bhxh').textContent = bhxhBlock(f);
  renderVerdict($('verdict'), result.verification, result.simulated);
  $('copy-status').textContent = '';
  $('result').hidden = false;
}

onLangChange(() => {
  if (last) render(last);
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
  purpose: 'clinic-checkin',
  fields: FIELDS,
  onResult: render,
  onReset: () => {
    last = undefined;
    $('result').hidden = true;
  },
});
