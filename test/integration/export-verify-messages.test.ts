// The export checks' lines read the same in the app's English as main wrote them for the CLI, and fully in Chinese:
// main/export/verify-messages.ts and renderer/src/i18n/messages/export.{en,zh}.ts must not drift apart.
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, fillText, VERIFY_TEXTS, type VerifyId } from '../../main/export/verify-messages.js';
import { translateMainMessage } from '../../renderer/src/i18n/main-message-text.js';

const PARAMS: Record<string, string | number> = {
  tensor: 'model.layers.0.mlp.up_proj.weight', rows: 9, matrices: 3, worst: '0.326', dtype: 'F32', pairs: 28, r: 4, alpha: 8, tokens: 8, prompts: 3,
  precision: 'f16', positions: 24, k: 20, maxDiff: '6.86e-4', limit: '0.05', top1: 24, overlap: 95, minOverlap: 80, greedySame: 3,
  worstPrompt: 2, worstPosition: 5, maxLogitDiff: '0.00103', message: 'boom',
};

describe('export check messages', () => {
  it('English in the app equals main’s text; Chinese is a full translation', () => {
    for (const [id, text] of Object.entries(VERIFY_TEXTS)) {
      const used = Object.fromEntries([...text.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, PARAMS[m[1]!]!]));
      const m = { code: `export.verify.${id}`, params: used, message: fillText(VERIFY_TEXTS[id as VerifyId], used) };
      expect(m.message, id).not.toMatch(/[{}]/);
      expect(translateMainMessage('en', m), id).toBe(m.message);
      const zh = translateMainMessage('zh', m);
      expect(zh, id).not.toBe(m.message);
      expect(zh, id).not.toMatch(/[{}]/);
    }
    for (const [id, name] of Object.entries(CHECK_NAMES)) {
      expect(translateMainMessage('en', { code: `export.check.${id}`, message: name })).toBe(name);
      expect(translateMainMessage('zh', { code: `export.check.${id}`, message: name }).length).toBeGreaterThan(0);
    }
  });
});
