import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { Tokenizer, type TokenizerJson } from '../tokenizer/tokenizer.js';
import { LLAMAFACTORY_TEMPLATES } from './llamafactory-templates.js';
import { IGNORE_INDEX, inferSeqlen, TemplateEncoder, type EncoderOptions } from './record-encoder.js';

const tok = new Tokenizer(JSON.parse(readFileSync('data/models/lathe-tiny-llama/tokenizer.json', 'utf8')) as TokenizerJson);
const spec = (name: string) => LLAMAFACTORY_TEMPLATES.find((t) => t.name === name)!;
const special = { bosToken: null, eosToken: '<|im_end|>' };
const opts = (o: Partial<EncoderOptions> = {}): EncoderOptions => ({ cutoffLen: 2048, trainOnPrompt: false, maskHistory: false, enableThinking: true, ...o });

const conv: NormalisedRecord = {
  kind: 'conversation',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: '你好' },
    { role: 'assistant', content: '您好！' },
    { role: 'user', content: '2+2?' },
    { role: 'assistant', content: '4' },
  ],
};

describe('inferSeqlen (LLaMA-Factory processor_utils)', () => {
  it('truncates the source when the target is short, the target when the source is short, else both', () => {
    expect(inferSeqlen(100, 10, 50)).toEqual([40, 10]);
    expect(inferSeqlen(10, 100, 50)).toEqual([10, 40]);
    expect(inferSeqlen(60, 40, 50)).toEqual([30, 20]);
    expect(inferSeqlen(5, 5, 50)).toEqual([5, 5]);
  });
});

describe('record encoder', () => {
  const enc = new TemplateEncoder(tok, { kind: 'spec', spec: spec('chatml') }, special);
  const encode = (r: NormalisedRecord, o?: Partial<EncoderOptions>) => {
    const e = enc.encode(r, opts(o));
    if (!e.ok) throw new Error(e.reason);
    return e;
  };

  it('trains every assistant turn and masks the prompts', () => {
    const e = encode(conv);
    expect(e.segments.map((s) => s.text).join('')).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n您好！<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n',
    );
    expect(e.segments.filter((s) => s.trained).map((s) => s.text)).toEqual(['您好！<|im_end|>\n', '4<|im_end|>\n']);
    for (const s of e.segments) {
      for (let t = s.start; t < s.end; t++) expect(e.labels[t]).toBe(s.trained ? e.inputIds[t] : IGNORE_INDEX);
    }
    // Ids are each element tokenized on its own, like LLaMA-Factory's _convert_elements_to_ids.
    const expected = [
      ...tok.encode('<|im_start|>system\nBe brief.<|im_end|>\n'),
      ...tok.encode('<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n'),
      ...tok.encode('您好！<|im_end|>\n'),
      ...tok.encode('<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n'),
      ...tok.encode('4<|im_end|>\n'),
    ];
    expect(e.inputIds).toEqual(expected);
    expect(e.truncated).toBe(false);
  });

  it('train_on_prompt labels everything', () => {
    const e = encode(conv, { trainOnPrompt: true });
    expect(e.labels).toEqual(e.inputIds);
  });

  it('mask_history trains the last turn only', () => {
    const e = encode(conv, { maskHistory: true });
    expect(e.segments.filter((s) => s.trained).map((s) => s.text)).toEqual(['4<|im_end|>\n']);
    expect(e.inputIds).toEqual(encode(conv).inputIds);
  });

  it('cuts at cutoff_len with infer_seqlen, turn by turn', () => {
    const full = encode(conv);
    const e = encode(conv, { cutoffLen: 20 });
    expect(e.inputIds.length).toBeLessThanOrEqual(20);
    expect(e.truncated).toBe(true);
    expect(e.fullLength).toBe(full.inputIds.length);
    expect(e.inputIds.slice(0, 5)).toEqual(full.inputIds.slice(0, 5));
    expect(e.segments.some((s) => s.cut)).toBe(true);
    expect(e.labels.length).toBe(e.inputIds.length);
  });

  it('mask_history under a cutoff keeps the last turn first', () => {
    const last = encode({ kind: 'single', instruction: '2+2?', output: '4' });
    const e = encode(conv, { maskHistory: true, cutoffLen: last.inputIds.length + 2 });
    expect(e.segments.filter((s) => s.trained).map((s) => s.text)).toEqual(['4<|im_end|>\n']);
  });

  it('single records join instruction and input with a newline', () => {
    const e = encode({ kind: 'single', instruction: 'Translate', input: 'Hallo', output: 'Hello', system: 'S' });
    expect(e.segments.map((s) => s.text).join('')).toBe(
      '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nTranslate\nHallo<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n',
    );
  });

  it('rejects conversations that do not end with an answer', () => {
    const e = enc.encode({ kind: 'conversation', messages: [{ role: 'user', content: 'hi' }] }, opts());
    expect(e.ok).toBe(false);
  });

  it('efficient EOS: the EOS label sits on the next prompt, and one EOS ends the record', () => {
    const breeze = new TemplateEncoder(tok, { kind: 'spec', spec: spec('breeze') }, special);
    const e = breeze.encode(conv, opts());
    if (!e.ok) throw new Error(e.reason);
    const eos = tok.tokenToId('<|im_end|>')!;
    expect(e.inputIds[e.inputIds.length - 1]).toBe(eos);
    expect(e.labels[e.labels.length - 1]).toBe(eos);
    const secondPrompt = e.segments.find((s) => s.turn === 1 && s.part === 'prompt')!;
    expect(e.labels[secondPrompt.start]).toBe(eos);
    expect(e.labels[secondPrompt.start + 1]).toBe(IGNORE_INDEX);
  });

  it('jinja chat template: same text as transformers, answers located with their end marker', () => {
    const fx = JSON.parse(readFileSync('test/fixtures/tokenizer/tiny.json', 'utf8')) as { chat: { messages: { role: string; content: string }[]; text: string }[] };
    const tc = JSON.parse(readFileSync('data/models/lathe-tiny-llama/tokenizer_config.json', 'utf8')) as { chat_template: string };
    const jinja = new TemplateEncoder(tok, { kind: 'jinja', name: 'jinja', source: tc.chat_template }, special);
    for (const c of fx.chat) {
      const e = jinja.encode({ kind: 'conversation', messages: c.messages as { role: 'user' }[] }, opts());
      if (!e.ok) throw new Error(e.reason);
      expect(e.segments.map((s) => s.text).join('')).toBe(c.text);
      const answers = c.messages.filter((m) => m.role === 'assistant').map((m) => `${m.content}<|im_end|>\n`);
      expect(e.segments.filter((s) => s.trained).map((s) => s.text)).toEqual(answers);
    }
  });
});

describe('jinja templates that rewrite history (Qwen3-style thought stripping)', () => {
  const src =
    "{%- for m in messages %}{%- if m.role == 'assistant' and not loop.last %}" +
    "{{ '<|im_start|>assistant\\n' + (m.content.split('</think>')|last).lstrip('\\n') + '<|im_end|>\\n' }}" +
    "{%- else %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}" +
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}";
  it('locates every answer, its end marker included', () => {
    const enc = new TemplateEncoder(tok, { kind: 'jinja', name: 'jinja', source: src }, special);
    const e = enc.encode(
      {
        kind: 'conversation',
        messages: [
          { role: 'user', content: 'Q1' },
          { role: 'assistant', content: '<think>\nhmm\n</think>\n\nA1' },
          { role: 'user', content: 'Q2' },
          { role: 'assistant', content: '<think>\nok\n</think>\n\nA2' },
        ],
      },
      opts(),
    );
    if (!e.ok) throw new Error(e.reason);
    expect(e.segments.filter((s) => s.trained).map((s) => s.text)).toEqual(['A1<|im_end|>\n', '<think>\nok\n</think>\n\nA2<|im_end|>\n']);
    expect(e.segments.map((s) => s.text).join('')).toBe(
      '<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n<think>\nok\n</think>\n\nA2<|im_end|>\n',
    );
  });
});

describe('template/tokenizer mismatch', () => {
  it('warns when a template uses markers the tokenizer lacks (llama3 on a ChatML tokenizer)', () => {
    const enc = new TemplateEncoder(tok, { kind: 'spec', spec: spec('llama3') }, special);
    expect(enc.notices.map((n) => n.message).join(' ')).toMatch(/<\|start_header_id\|>.*not a token/);
    expect(enc.notices).toMatchObject([
      { code: 'template.eosNotInVocab', params: { eos: '<|eot_id|>' } },
      { code: 'template.markersNotTokens', params: { template: 'llama3', markers: expect.stringContaining('<|start_header_id|>') } },
    ]);
    expect(new TemplateEncoder(tok, { kind: 'spec', spec: spec('chatml') }, special).notices).toEqual([]);
  });
});
