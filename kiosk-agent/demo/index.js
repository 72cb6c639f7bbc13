import { initPage } from './common.js';

initPage({
  vi: {
    title: 'Demo quầy tiếp nhận — đọc thẻ CCCD gắn chip',
    heading: 'Demo quầy tiếp nhận — đọc thẻ CCCD gắn chip',
    pagesHeading: 'Chọn quầy',
    clinic: 'Bệnh viện, phòng khám — tiếp đón người bệnh, tra cứu BHXH',
    bank: 'Ngân hàng — giao dịch viên xác thực thẻ và ảnh chân dung',
    commune: 'UBND xã/phường — điền tờ khai từ thẻ',
    note: 'Chế độ demo: dịch vụ đọc thẻ tự cấp vé truy cập cho chính mình; khi không có đầu đọc thẻ, hệ thống dùng thẻ mô phỏng.',
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
