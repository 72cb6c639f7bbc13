// Bank teller: the portrait for the bank's face match and the chip authenticity verdict in plain words.
// The evidence bundle goes with the result so the bank's server re-checks everything (verifyEvidence).
// The verdict comes first, and nothing from the card shows until the backend has decided. The portrait is shown
// only for a read the backend accepted as valid (never for the face match of any other), and the fields of any other
// read (a failing verdict, a refusal, no decision) only once the clerk overrides with a typed reason, marked "not
// verified".
import {
  $,
  clearList,
  expiryText,
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

// The fields come with the ticket: the demo backend decides them for this desk (DEMO_DESKS in @cccd/server).
let last;
let view;
let use;
const LIST = ['fullName', 'idNumber', 'dateOfBirth', 'sex', 'dateOfExpiry', 'checks'];

initPage({
  vi: {
    title: 'Giao dịch viên — xác thực thẻ CCCD gắn chip',
    heading: 'Giao dịch viên — xác thực thẻ CCCD gắn chip',
    readHeading: 'Đọc và xác thực thẻ của khách hàng',
    resultHeading: 'Kết quả xác thực',
    noPhoto: 'Không có ảnh',
    photoAlt: 'Ảnh chân dung đọc từ chip',
    jp2: 'Ảnh ở định dạng JPEG 2000 và không chuyển được sang định dạng trình duyệt hiển thị; máy chủ vẫn nhận được ảnh gốc để đối chiếu khuôn mặt.',
    fullName: 'Họ và tên',
    idNumber: 'Số CCCD',
    dateOfBirth: 'Ngày sinh',
    sex: 'Giới tính',
    dateOfExpiry: 'Có giá trị đến',
    checks: 'Các bước kiểm tra',
    pa: 'Chữ ký số của cơ quan cấp thẻ',
    ca: 'Xác thực chip (chống sao chép)',
    aa: 'Xác thực chủ động của chip',
    st: {
      valid: 'đạt',
      invalid: 'không đạt',
      refused: 'chip không hỗ trợ (không phải lỗi)',
      'unknown-csca': 'thiếu chứng thư số gốc',
      'not-checked': 'chưa kiểm tra',
    },
    noPortrait: 'Không hiển thị ảnh vì thẻ chưa được xác thực; không dùng ảnh để đối chiếu khuôn mặt.',
    faceOk:
      'Có thể gửi ảnh chân dung và gói dữ liệu xác thực về máy chủ ngân hàng để đối chiếu khuôn mặt (theo Thông tư 17/2024/TT-NHNN).',
    faceNo: 'KHÔNG dùng ảnh này để đối chiếu khuôn mặt: chưa xác thực được thẻ do cơ quan Công an cấp.',
    faceSimulated: 'KHÔNG dùng ảnh này để đối chiếu khuôn mặt: đây là thẻ mô phỏng, không phải thẻ thật.',
  },
  en: {
    title: 'Teller — chip CCCD verification',
    heading: 'Teller — chip CCCD verification',
    readHeading: "Read and verify the customer's card",
    resultHeading: 'Verification result',
    noPhoto: 'No photo',
    photoAlt: 'Portrait read from the chip',
    jp2: 'JPEG 2000 portrait that could not be converted for the browser; the server still receives the original for matching.',
    fullName: 'Full name',
    idNumber: 'ID number',
    dateOfBirth: 'Date of birth',
    sex: 'Sex',
    dateOfExpiry: 'Valid until',
    checks: 'Checks',
    pa: 'Digital signature (PA)',
    ca: 'Chip authentication (CA)',
    aa: 'Active authentication (AA)',
    st: {
      valid: 'passed',
      invalid: 'failed',
      refused: 'refused by the chip (not a failure)',
      'unknown-csca': 'CSCA missing',
      'not-checked': 'not checked',
    },
    noPortrait: 'Portrait not shown: the card is not verified and may not be used for face matching.',
    faceOk:
      "The portrait and evidence bundle may go to the bank's server for face matching (Circular 17/2024/TT-NHNN).",
    faceNo: 'Do NOT use this portrait for face matching: the card is not verified as issued by the Police.',
    faceSimulated: 'Do NOT use this portrait for face matching: this is a simulated card, not a real one.',
  },
});

/**
 * The portrait: a JPEG as read from the chip; a JPEG 2000 one (which browsers do not show) through the PNG the agent
 * made of it (`photo.display`). The chip's own bytes stay in `photo.b64` for the server's face match.
 */
function portraitSource(photo) {
  if (photo.mime === 'image/jpeg') return `data:image/jpeg;base64,${photo.b64}`;
  if (photo.display) return `data:${photo.display.mime};base64,${photo.display.b64}`;
  return undefined;
}

function renderPortrait(photo) {
  const box = $('portrait');
  box.replaceChildren();
  const src = photo && portraitSource(photo);
  if (!photo) {
    box.textContent = t('noPhoto');
  } else if (src) {
    const img = document.createElement('img');
    img.id = 'photo';
    img.alt = t('photoAlt');
    img.src = src;
    img.dataset.format = photo.mime;
    box.append(img);
  } else {
    box.textContent = t('jp2');
  }
}

function show(result) {
  const f = result.fields;
  const v = result.verification;
  // The portrait only for a read the backend accepted as issued by the Police: never for a face match otherwise.
  if (view.usable) renderPortrait(result.photo);
  else $('portrait').textContent = t('noPortrait');
  fillList(
    {
      fullName: f.fullName,
      idNumber: f.idNumber,
      dateOfBirth: vnDate(f.dateOfBirth),
      sex: sexText(f.sex),
      dateOfExpiry: expiryText(f.dateOfExpiry),
      checks: [
        `${t('pa')}: ${t(`st.${v.passive.status}`)}`,
        `${t('ca')}: ${t(`st.${v.chip.status}`)}`,
        `${t('aa')}: ${t(`st.${v.active.status}`)}`,
      ].join(' · '),
    },
    use.overridden,
  );
  $('teller').hidden = false;
}

function hideData() {
  clearList(LIST);
  $('portrait').replaceChildren();
  $('teller').hidden = true;
}

function faceHint(result) {
  // Face match only on data the Police issued (PA valid): Circulars 17/18 of 2024. A simulated card never is, and
  // no card is before the backend has decided.
  if (view.state === 'pending') {
    $('face-hint').textContent = '';
    return;
  }
  const usable = !result.simulated && view.usable;
  $('face-hint').textContent = t(result.simulated ? 'faceSimulated' : usable ? 'faceOk' : 'faceNo');
}

function render(result, decision) {
  last = result;
  view = verdictView(result, decision);
  use = undefined;
  hideData();
  renderVerdict($('verdict'), view, result.simulated);
  faceHint(result);
  $('result').hidden = false;
  guardResult($('gate'), view, (state) => {
    use = state;
    show(result);
  });
}

onLangChange(() => {
  if (!last) return;
  renderVerdict($('verdict'), view, last.simulated);
  faceHint(last);
  if (use) show(last);
});

startReader({
  desk: 'bank',
  onResult: render,
  onReset: () => {
    last = undefined;
    view = undefined;
    use = undefined;
    hideData();
    $('result').hidden = true;
  },
});
