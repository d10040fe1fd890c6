// Main's messages name record fields as the UI labels them ("Empty answer." under a column headed Answer), and the
// renderer's `main.param.field.<id>` English reads the same, so translated and untranslated texts agree.
import { describe, expect, it } from 'vitest';
import { TargetField } from '../../preload/contract/datasets.js';
import { FIELD_NAMES } from '../../main/datasets/field-names.js';
import { en } from '../../renderer/src/i18n/en.js';
import { zh } from '../../renderer/src/i18n/zh.js';

describe('field names in main’s messages', () => {
  it('match the renderer’s English for every field, and have a Chinese text', () => {
    for (const id of Object.keys(FIELD_NAMES)) {
      const key = `main.param.field.${id}` as keyof typeof en;
      expect(en[key], id).toBe(FIELD_NAMES[id as keyof typeof FIELD_NAMES]);
      expect(zh[key], id).toBeTruthy();
    }
  });

  it('are the UI’s field labels, lower-cased', () => {
    for (const id of TargetField.options) {
      const label = en[`field.${id}` as keyof typeof en].toLowerCase();
      expect(label.startsWith(FIELD_NAMES[id]), `${id}: “${label}” vs “${FIELD_NAMES[id]}”`).toBe(true);
    }
    expect(FIELD_NAMES.output).toBe('answer');
  });
});
