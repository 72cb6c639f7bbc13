/**
 * The /admin pairing page: lists pending pairing requests with their origin, client name and 6-digit code, and
 * approves or rejects them; lists paired clients (approved, expiry, last use) and revokes them. The admin token is typed into the page and sent as X-Admin-Token (a header, so a
 * cross-site form cannot forge the request); the page is served from loopback only (Host allow-list).
 */
const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>CCCD agent – ghép nối / pairing</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 16px system-ui, sans-serif; margin: 2rem; max-width: 48rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #999; padding: .4rem .6rem; text-align: left; }
.code { font: 700 1.4rem ui-monospace, monospace; letter-spacing: .2em; }
button { font-size: 1rem; margin-right: .4rem; }
</style>
</head>
<body>
<h1>Ghép nối ứng dụng / Client pairing</h1>
<p>Đối chiếu mã 6 số với mã mà ứng dụng đang hiển thị, rồi bấm Chấp thuận. Compare the 6-digit code with the one the client shows, then approve.</p>
<label>Mã quản trị / Admin token <input id="token" type="password" autocomplete="off" size="40"></label>
<button id="load" type="button">Tải danh sách / Load</button>
<h2>Đang chờ / Pending</h2>
<table><thead><tr><th>Mã / Code</th><th>Ứng dụng / Client</th><th>Nguồn (origin) / Origin</th><th></th></tr></thead><tbody id="pending"></tbody></table>
<h2>Đã ghép nối / Paired</h2>
<table><thead><tr><th>Ứng dụng / Client</th><th>Nguồn (origin) / Origin</th><th>Chấp thuận / Approved</th><th>Hết hạn / Expires</th><th>Dùng lần cuối / Last used</th><th></th></tr></thead><tbody id="paired"></tbody></table>
<p id="status" role="status"></p>
<script src="/admin/admin.js"></script>
</body>
</html>
`;

const script = `'use strict';
const $ = (id) => document.getElementById(id);
const headers = () => ({ 'X-Admin-Token': $('token').value });
function cell(row, text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; row.appendChild(td); return td; }
async function decide(id, action) {
  const r = await fetch('/admin/api/pairings/' + encodeURIComponent(id) + '/' + action, { method: 'POST', headers: headers() });
  $('status').textContent = r.ok ? action + ': ok' : action + ': ' + r.status;
  load();
}
async function revoke(c) {
  if (!confirm('Thu hồi / Revoke "' + c.clientName + '" (' + c.origin + ')?')) return;
  const r = await fetch('/admin/api/clients/' + encodeURIComponent(c.clientId), { method: 'DELETE', headers: headers() });
  $('status').textContent = r.ok ? 'revoke: ok' : 'revoke: ' + r.status;
  load();
}
function button(td, label, onClick) { const b = document.createElement('button'); b.type = 'button'; b.textContent = label; b.addEventListener('click', onClick); td.appendChild(b); }
async function load() {
  const r = await fetch('/admin/api/pairings', { headers: headers() });
  if (!r.ok) { $('status').textContent = 'HTTP ' + r.status; return; }
  const data = await r.json();
  const pending = $('pending'); pending.replaceChildren();
  for (const p of data.pending) {
    const row = document.createElement('tr');
    cell(row, p.code, 'code'); cell(row, p.clientName); cell(row, p.origin);
    const td = cell(row, '');
    button(td, 'Chấp thuận / Approve', () => decide(p.clientId, 'approve'));
    button(td, 'Từ chối / Reject', () => decide(p.clientId, 'reject'));
    pending.appendChild(row);
  }
  const paired = $('paired'); paired.replaceChildren();
  for (const c of data.paired) {
    const row = document.createElement('tr');
    cell(row, c.clientName); cell(row, c.origin); cell(row, c.approvedAt);
    cell(row, c.status === 'expired' ? c.expiresAt + ' (hết hạn / expired)' : c.expiresAt);
    cell(row, c.lastUsedAt || '–');
    button(cell(row, ''), 'Thu hồi / Revoke', () => revoke(c));
    paired.appendChild(row);
  }
}
$('load').addEventListener('click', load);
setInterval(() => { if ($('token').value) load(); }, 3000);
`;

export const adminPage = { html, script };
