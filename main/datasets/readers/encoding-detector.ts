// Guesses the text encoding of a file from its first bytes: BOM, then strict UTF-8, then UTF-16 without BOM,
// then a CJK score (GB18030, Big5, Shift-JIS) and Windows-1252 as the last resort. It does not decode whole files.

import type { EncodingGuess } from './source-types.js';

/** Encodings we detect and offer as overrides (WHATWG labels understood by TextDecoder). */
export const SUPPORTED_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'gb18030', 'gbk', 'big5', 'shift_jis', 'windows-1252'] as const;

// Frequent Han characters in Simplified and Traditional Chinese text and their Japanese use. Text decoded with
// the wrong legacy codec turns into rare characters, so the share of these tells the right codec apart.
const COMMON_HAN = new Set(
  [...'的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应向头文体美相见被利什二等产或新己制身果加西月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活更别打女变四总何电数安少报才结反受目太量再感建务做接必场件计管期市直资命山金指克许统区保至队形社便空决治展马科司五基书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑风步改收根干造言联持组每车亲极林服快办议往元证近失转令准布始怎呢存未远叫台单影具字爱流备连调深商算质团集百需价花华城级整府离况请技际约示复病息究线似火断满支视消越器容照须增研写称企功吗包片史查易早除农找装广显吧图念历首医局专费号另周较注语仅考落青随选列红响虽推势参希古众构房半节土投某案黑维划致律足态护兴派孩验责营星够章音跟志底站严例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害双境客纪采举父密低朝友诉止细愿千值仍男钱破网热助倒育属坐限船脸职速刻乐否刚状率独球般普怕校苦创假久错承印晚试股拿预谁益若哪微继送急血伤素药适波夜省初喜源食险待述陆习置居劳财环排福欢警获模充负云停木游树疑层冷冲略范竟句室激村策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配修皮胜降阶审善妈读啊超免压银买养怀执副乱帮宣岁优怪香著田铁控税左右份穿艺背阵草脚概块顿敢守酒岛户烈哥款靠评版宝座释景顾弟登货互付慢换闻危忙核暗姐介坏讨良序升监临亮露永呼味野架域沙掉括杂误减编肯测败屋跑梦散温困渐封救贵缺楼县尚移朋画班智耳短掌遗固席松秘谢遇康虑幸均销钟藏赶剧票损忽旧端探湖录叶春乡附吸予礼港雨呀板庭妇归饭额含顺输招婚脱补督油旅材笔词择寻厂睡博烟授诺岸健堂旁宫喝借君禁阴园避抓荣逃牙束跳顶玉镇雪午练迫篇肉馆遍凡础洞卷牛宁纸训私祖丝翻暴森塔默握戏隐熟骨访弱歌店软典欲伙盘爸扩盖弄雄稳忘亿拥杨齐赛趣曲床迎冰虚玩析窗醒妻透购替塞努休途侵绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓售灯针络抵抱鼓植纯夏忍页筑折尊吴秀混雅振染盛怒舞圆搞措姓残秋培迷诚宽猛摆毁末乃悲拍硬麦操阻订彩抽赞魔纷沿违妹浪汇币丰蓝献桌译汽烧距裁偏符勇触课敬哭懂墙召厅拜巧侧冒债融惯享戴童犹乘挂奖绍厚纵障讯涉彻刊爆役描洗患妙镜唱烦签仙仿倾牌陷鸟菜闭奋庆泪茶疾缘播朗奶季狗尾仪偷奔珠虫孔宜桥淡恨繁寒伴叹旦愈潮粮缩聚径恰挑袋灰捕珍幕映裂启尖忠累暂估泛荒偿横拒忆孤鼻闹羊厉衡零穷舍码魂灾洪腿胆津俗胸晓劲贫仁偶辑邦恢圈摸仰润堆碰稍迟辆废净署壁御冬矿抬蛋晨吹鸡倍糊盾杯租骑乏隆诊摄污渡甘耐凭扎抢绪粗肩梁幻皆碎岩荡综爬悉返井壮薄扫敏碍详允幅剩颗骂赏液番箱贴漫酸腰舒眉忧浮辛恋餐挺励辞键峰尺昨贯滑券扰宪绕趋慈阅汗枝拖墨插粉泥彭拔骗慧媒佩扑龄驱惜豪兼跃肃频仇磨递撞拟滚奏颜剂绩贡疯坡截燃焦伪锁逼颇劝呈搜勤戒驾漂饮朵柔俩腐幼践籍牧凉佳浓芳稿竹腹跌逻垂遵脉貌狱猜惑陶帐饰贷昌叙躺钢沟寄扶铺寿惧询汤盗肥尝匆辉扣澳董迁凝慰厌脏腾鞋丢埋泉涌躲紫艰吾慌祝邮吐狠鉴械咬邻挤弯椅陪割揭悟聪雾锋梯猫祥阔誉筹丛牵鸣阁屈旨袖猎臂贺柱抛戈牢迈欺吨琴衰瓶恼仲诱狼池疼冠粒遥尘抚浅纠钻晶峡喷耗凌敲菌赔涂粹扁亏寂煤恭湿循暖糖赋抑秩帽宿踏烂侯抖夹肝擦猪炼恒慎搬纽纹玻渔磁铜齿跨押怖疲遣兹醉拳弥斜档稀捷肤疫肿豆削岗晃吞宏癌肚履涨耀扭坛拨绘伐堪郭墓雇廉契拼捉覆刷嫌瓜歇闷乳串娃缴唤赢莲桃妥瘦搭嘉舱俊址耕锐缝悔邀玲添挖诞饱泡亭夕酬卵氛泄挨蜜甜霞裕摘矮秒' +
    // Traditional forms of the most frequent characters above.
    '這個們來為國說時會對後從關東開發問題經過還實現學見應條書長義點當種於體機與頭無電動覺變區將隊爭層務產樣進員們議術計劃確認訊號碼網頁單據價錢購買賣帳戶費請謝處理訂貨運輸聯絡話題幫忙狀態報錯誤設備節儀購寫讀聽說門陽歲車歡樂優質內師區話記錄業績際銷售戶' +
    // Frequent Japanese kanji shapes and punctuation shared with CJK texts.
    '円込気様続届済連絡確認願致込払戻頂於'
  ],
);

const SAMPLE_BYTES = 256 * 1024;

/** Picks the encoding of `sample` (the first bytes of a file; need not end on a character boundary). */
export function detectEncoding(sample: Uint8Array, override?: string): EncodingGuess {
  const hasBom = bomOf(sample) !== null;
  if (override) {
    const label = normaliseEncoding(override);
    return { encoding: label, reason: 'user', hasBom: hasBom && bomOf(sample) === label };
  }
  const bom = bomOf(sample);
  if (bom) return { encoding: bom, reason: 'bom', hasBom: true };
  const bytes = sample.subarray(0, SAMPLE_BYTES);
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return { encoding: utf16, reason: 'heuristic', hasBom: false };
  if (decodesStrictly('utf-8', trimPartialUtf8(bytes))) return { encoding: 'utf-8', reason: 'utf8', hasBom: false };

  let best: { encoding: string; score: number } | null = null;
  for (const encoding of ['gb18030', 'big5', 'shift_jis']) {
    const text = decodeLenient(encoding, bytes);
    if (text === null) continue;
    const score = cjkScore(text);
    if (score > 0.5 && (!best || score > best.score)) best = { encoding, score };
  }
  if (best) return { encoding: best.encoding, reason: 'heuristic', hasBom: false };
  return { encoding: 'windows-1252', reason: 'fallback', hasBom: false };
}

/** A WHATWG label for a user-typed name ('GBK', 'utf8', 'cp1252', 'sjis' …); throws on unknown names. */
export function normaliseEncoding(name: string): string {
  const aliases: Record<string, string> = { utf8: 'utf-8', cp1252: 'windows-1252', latin1: 'windows-1252', sjis: 'shift_jis', 'shift-jis': 'shift_jis', cp936: 'gbk', utf16le: 'utf-16le', utf16be: 'utf-16be', 'utf-16': 'utf-16le', cp950: 'big5' };
  const label = aliases[name.trim().toLowerCase()] ?? name.trim().toLowerCase();
  try {
    return new TextDecoder(label).encoding;
  } catch {
    throw new RangeError(`Unknown text encoding “${name}”. Try one of: ${SUPPORTED_ENCODINGS.join(', ')}.`);
  }
}

export function bomLength(encoding: string, bytes: Uint8Array): number {
  const bom = bomOf(bytes);
  if (bom !== encoding) return 0;
  return bom === 'utf-8' ? 3 : 2;
}

function bomOf(b: Uint8Array): string | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return null;
}

/** UTF-16 text of mostly ASCII/CJK has a zero in every other byte of its ASCII characters. */
function utf16WithoutBom(b: Uint8Array): string | null {
  const n = Math.min(b.length, 4096) & ~1;
  if (n < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.3 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.3 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

/** Drops an incomplete multi-byte sequence at the end of a truncated sample. */
function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && ((b[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return b;
  const lead = b[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? b.subarray(0, i) : b;
}

function decodesStrictly(encoding: string, b: Uint8Array): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Decodes strictly except for the last few bytes (a sample may cut a character in two); null when invalid. */
function decodeLenient(encoding: string, b: Uint8Array): string | null {
  const cut = b.length >= SAMPLE_BYTES ? b.subarray(0, b.length - 4) : b;
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(cut);
  } catch {
    return null;
  }
}

/** Share of non-ASCII characters that are frequent Han characters, kana or CJK punctuation. */
export function cjkScore(text: string): number {
  let nonAscii = 0;
  let good = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) continue;
    nonAscii++;
    if (COMMON_HAN.has(ch)) good++;
    else if (c >= 0x3040 && c <= 0x30ff) good++; // hiragana, katakana
    else if ((c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff20)) good += 0.5; // CJK and full-width punctuation
    else if (c >= 0xff61 && c <= 0xff9f) good -= 1; // half-width katakana: what GBK text looks like as Shift-JIS
    else if (c >= 0xe000 && c <= 0xf8ff) good -= 2; // private use area
  }
  return nonAscii === 0 ? 0 : good / nonAscii;
}
