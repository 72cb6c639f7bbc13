import { initPage } from './common.js';

initPage({
  vi: {
    title: 'Demo quầy tiếp dân — đọc CCCD gắn chip',
    heading: 'Demo quầy tiếp dân — đọc CCCD gắn chip',
    pagesHeading: 'Chọn quầy',
    clinic: 'Phòng khám — tiếp đón, tra cứu BHXH',
    bank: 'Ngân hàng — giao dịch viên, xác thực thẻ và ảnh',
    commune: 'UBND xã/phường — điền tờ khai từ thẻ',
    note: 'Chế độ demo: dịch vụ tự cấp vé truy cập cho chính nó; thẻ là thẻ mô phỏng khi không có đầu đọc.',
  },
  en: {
    title: 'Front-desk demo — chip CCCD reading',
    heading: 'Front-desk demo — chip CCCD reading',
    pagesHeading: 'Choose a desk',
    clinic: 'Clinic — patient check-in, social insurance lookup',
    bank: 'Bank — teller, card and portrait verification',
    commune: 'Commune office — fill a form from the card',
    note: 'Demo mode: the agent issues access tickets to itself; the card is simulated when no reader is attached.',
  },
});
