// Generates data/demo/support-tickets.xlsx: the bundled DEMO spreadsheet (fictional support tickets, English and
// Chinese, a title row above the header and a few blank rows, like a real help-desk export). Deterministic: same
// bytes on every run (seeded PRNG, fixed workbook dates, fixed zip timestamps). Run: node data/demo/make-support-tickets.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support-tickets.xlsx');
const ROWS = 200;

// mulberry32: tiny seeded PRNG, so the file never changes between runs.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20240601);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const PRODUCTS = ['Lathe Cloud', 'Aurora Router R7', '智能音箱 X1', '云盘 Pro', 'FitBand 3', '扫地机器人 S9'];

// [question, answer] templates; {order} and {product} are filled per row.
const EN = [
  ['My order {order} has not arrived yet. Where is it?', 'Sorry for the wait! Order {order} left our warehouse yesterday; the tracking link is in your confirmation email and delivery is expected within 3 working days.'],
  ['How do I reset the {product} to factory settings?', 'Hold the reset button on the back of the {product} for 10 seconds until the light blinks orange, then set it up again from the app.'],
  ['Can I get a refund for order {order}?', 'Yes. Refunds are possible within 30 days: open Orders → {order} → Request refund. The money returns to the original payment method in 5–7 days.'],
  ['The {product} keeps disconnecting from Wi-Fi.', 'Please update the {product} to the latest firmware (Settings → About → Update) and move it within 5 m of the router. If it still drops, send us the log from Settings → Help.'],
  ['How do I change the email address on my account?', 'Go to Account → Profile → Email, enter the new address and confirm the link we send to it. Your orders and subscriptions stay the same.'],
  ['I was charged twice for order {order}.', 'Thanks for telling us. The second charge on order {order} is a pre-authorisation and will disappear within 48 hours; if it does not, reply and we will refund it immediately.'],
  ['Does the {product} support two-factor authentication?', 'Yes — turn it on in Security → Two-factor authentication and scan the QR code with any authenticator app.'],
  ['Can I change the delivery address of order {order}?', 'If order {order} has not shipped yet, open it and choose Edit address. Once shipped, ask the courier to redirect it using the tracking link.'],
];
const ZH = [
  ['我的订单 {order} 还没有发货，请问什么时候能到？', '您好，订单 {order} 已于昨天从仓库发出，预计 3 个工作日内送达，物流单号已发送到您的手机。'],
  ['{product} 怎么恢复出厂设置？', '您好，请长按 {product} 背面的复位键 10 秒，指示灯闪烁橙色后松开，然后在 App 中重新配置即可。'],
  ['订单 {order} 可以退款吗？', '可以的。签收后 30 天内可申请退款：打开“我的订单”→ {order} →“申请退款”，款项会在 5–7 个工作日内原路退回。'],
  ['{product} 经常断开 Wi-Fi 连接，怎么办？', '建议先把 {product} 升级到最新固件（设置 → 关于 → 检查更新），并放在距离路由器 5 米以内。如仍断线，请在“设置 → 帮助”中导出日志发给我们。'],
  ['如何修改账号绑定的手机号？', '请进入“账号 → 个人资料 → 手机号”，输入新号码并完成短信验证，原有订单和会员权益不受影响。'],
  ['订单 {order} 被重复扣款了。', '感谢反馈！订单 {order} 的第二笔扣款是预授权，48 小时内会自动撤销；如未撤销，请回复本工单，我们会立即为您退款。'],
  ['发票怎么开？订单号 {order}', '您可以在“我的订单 → {order} → 申请发票”中填写抬头和税号，电子发票会在 24 小时内发送到您的邮箱。'],
  ['{product} 支持两步验证吗？', '支持。请在“安全 → 两步验证”中开启，并用任意身份验证器 App 扫描二维码。'],
];

const wb = new ExcelJS.Workbook();
wb.creator = 'Lathe demo generator';
wb.created = new Date(Date.UTC(2025, 0, 1));
wb.modified = new Date(Date.UTC(2025, 0, 1));
const ws = wb.addWorksheet('Tickets 工单');
ws.columns = [{ width: 14 }, { width: 60 }, { width: 80 }, { width: 18 }, { width: 12 }];
ws.mergeCells('A1:E1');
ws.getCell('A1').value = 'DEMO DATA — fictional support tickets for trying Lathe / 演示数据：虚构的客服工单，仅供体验';
ws.getCell('A1').font = { bold: true, size: 14 };
ws.getRow(3).values = ['工单号 / Ticket ID', '问题 / Question', '回复 / Answer', '产品 / Product', '日期 / Date'];
ws.getRow(3).font = { bold: true };

let r = 4;
for (let i = 0; i < ROWS; i++) {
  if (i === 57 || i === 131) r++; // blank rows, as exports often have
  const zh = rand() < 0.5;
  const [q, a] = pick(zh ? ZH : EN);
  const product = pick(PRODUCTS);
  const order = `${zh ? 'CN' : 'US'}${String(100000 + Math.floor(rand() * 900000))}`;
  const fill = (s) => s.replaceAll('{order}', order).replaceAll('{product}', product);
  const day = new Date(Date.UTC(2024, 0, 2) + Math.floor(i * 1.7) * 86400000);
  ws.getRow(r).values = [`T-${String(10001 + i)}`, fill(q), fill(a), product, day];
  ws.getCell(`E${r}`).numFmt = 'yyyy-mm-dd';
  r++;
}

const about = wb.addWorksheet('About');
about.getCell('A1').value = 'This workbook is demo data bundled with Lathe. The tickets, orders and products are made up.';
about.getCell('A2').value = '本工作簿是 Lathe 自带的演示数据，工单、订单和产品均为虚构。';

const buf = Buffer.from(await wb.xlsx.writeBuffer());
// Zip entries carry the time of writing; pin them (DOS date 2025-01-01 00:00) so the output is byte-identical.
const DOS_TIME = 0;
const DOS_DATE = ((2025 - 1980) << 9) | (1 << 5) | 1;
// Walk the central directory (found through the end-of-central-directory record), never the compressed data.
const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
let at = buf.readUInt32LE(eocd + 16);
for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
  buf.writeUInt16LE(DOS_TIME, at + 12);
  buf.writeUInt16LE(DOS_DATE, at + 14);
  const local = buf.readUInt32LE(at + 42);
  buf.writeUInt16LE(DOS_TIME, local + 10);
  buf.writeUInt16LE(DOS_DATE, local + 12);
  at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
}
writeFileSync(OUT, buf);
process.stdout.write(`wrote ${OUT} (${ROWS} tickets, ${buf.length} bytes)\n`);
