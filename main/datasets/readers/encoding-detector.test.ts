import { describe, expect, it } from 'vitest';
import { encodeLegacy } from '../../../test/fixtures/datasets/legacy-encode.js';
import { cjkScore, detectEncoding, normaliseEncoding } from './encoding-detector.js';

const zhHans = '工单号,问题,回复\nT-1001,我的订单还没有发货，请问什么时候能到？,您好，您的订单已经发出，预计三天内送达。\nT-1002,如何修改收货地址？,请在个人中心的地址管理里修改。\n';
const zhHant = '工單號,問題,回覆\nT-1001,我的訂單還沒有發貨，請問什麼時候能到？,您好，您的訂單已經發出，預計三天內送達。\nT-1002,如何修改收貨地址？,請在個人中心的地址管理裡修改。\n';
const ja = 'チケット,質問,回答\nT-1001,注文した商品がまだ届きません。いつ届きますか？,ご連絡ありがとうございます。商品は発送済みです。\n';
const latin = 'ticket,question,answer\n1,Où est ma commande ? Déjà payée,Merci ! Votre colis est expédié — café offert\n';

describe('encoding detector', () => {
  it('prefers a BOM', () => {
    expect(detectEncoding(Buffer.from('\ufeffa,b', 'utf8'))).toEqual({ encoding: 'utf-8', reason: 'bom', hasBom: true });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]))).toMatchObject({ encoding: 'utf-16le', reason: 'bom' });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toMatchObject({ encoding: 'utf-16be', reason: 'bom' });
  });

  it('takes valid UTF-8 as UTF-8, even cut inside a character', () => {
    const b = Buffer.from(zhHans.repeat(3000), 'utf8');
    expect(b.length).toBeGreaterThan(256 * 1024);
    expect(detectEncoding(b.subarray(0, 256 * 1024 - 1))).toMatchObject({ encoding: 'utf-8', reason: 'utf8' });
  });

  it.each([
    ['gb18030', zhHans],
    ['big5', zhHant],
    ['shift_jis', ja],
  ])('recognises %s text', (enc, text) => {
    expect(detectEncoding(encodeLegacy(text, enc))).toMatchObject({ encoding: enc, reason: 'heuristic' });
  });

  it('reads GBK bytes as GB18030 (a superset)', () => {
    expect(detectEncoding(encodeLegacy(zhHans, 'gbk')).encoding).toBe('gb18030');
  });

  it('falls back to Windows-1252 for Latin text', () => {
    expect(detectEncoding(encodeLegacy(latin, 'windows-1252'))).toMatchObject({ encoding: 'windows-1252', reason: 'fallback' });
  });

  it('scores right decodings above wrong ones', () => {
    const bytes = encodeLegacy(zhHant, 'big5');
    expect(cjkScore(new TextDecoder('big5').decode(bytes))).toBeGreaterThan(0.8);
    expect(cjkScore(new TextDecoder('gb18030').decode(bytes))).toBeLessThan(0.4);
  });

  it('normalises user labels and rejects unknown ones', () => {
    expect(normaliseEncoding('GBK')).toBe('gbk');
    expect(normaliseEncoding('cp1252')).toBe('windows-1252');
    expect(normaliseEncoding('SJIS')).toBe('shift_jis');
    expect(() => normaliseEncoding('klingon-8')).toThrow(/Unknown text encoding/);
  });
});
