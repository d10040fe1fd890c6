// The training template as Jinja (rendered by our Jinja engine) and as an Ollama Modelfile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyAdapter, TINY_MODEL } from '../../test/fixtures/export/tiny-adapter.js';
import { builtinTemplate } from '../templates/template-registry.js';
import { chatTemplateFor, specToJinja } from './chat-template.js';
import { runExportJob } from './export-job.js';
import { ollamaTemplate, renderModelfile } from './modelfile.js';
import { renderChat } from '../templates/jinja-template.js';

const work = mkdtempSync(join(tmpdir(), 'lathe-ollama-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('chat template and Modelfile', () => {
  it('renders the qwen template as Jinja the way LLaMA-Factory formats a conversation', () => {
    const jinja = specToJinja(builtinTemplate('qwen')!);
    const text = renderChat(jinja, [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Bye' }], true, { bosToken: '', eosToken: '<|im_end|>' } as never);
    expect(text).toBe(
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n',
    );
    const withSystem = renderChat(jinja, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], true, { bosToken: '', eosToken: '<|im_end|>' } as never);
    expect(withSystem.startsWith('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi')).toBe(true);
  });

  it('fuses the system prompt into the first user turn for llama2-style templates', () => {
    const jinja = specToJinja(builtinTemplate('llama2')!);
    const text = renderChat(jinja, [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }], true, { bosToken: '<s>', eosToken: '</s>' } as never);
    expect(text).toBe('<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST]');
  });

  it('writes TEMPLATE, SYSTEM and the stop strings of the training template', () => {
    const t = { kind: 'spec' as const, spec: builtinTemplate('llama3')! };
    const chat = chatTemplateFor(t, '<|end_of_text|>');
    expect(chat.eosToken).toBe('<|eot_id|>');
    const mf = renderModelfile('model-q4_k_m.gguf', t, chat, '<|eot_id|>');
    expect(mf).toContain('FROM ./model-q4_k_m.gguf');
    expect(mf).toContain('PARAMETER stop "<|eot_id|>"');
    expect(mf).toContain('PARAMETER stop "<|eom_id|>"');
    expect(mf).toContain('{{ range $i, $_ := .Messages }}');
    expect(ollamaTemplate(builtinTemplate('chatml')!, '<|im_end|>')).toBe(
      '{{ if .System }}<|im_start|>system\n{{ $.System }}<|im_end|>\n{{ end }}{{ range $i, $_ := .Messages }}{{ if eq .Role "user" }}<|im_start|>user\n{{ .Content }}<|im_end|>\n<|im_start|>assistant\n{{ else if eq .Role "assistant" }}{{ .Content }}<|im_end|>\n{{ end }}{{ end }}',
    );
    // Nothing trims whitespace: the generation prompt keeps its final newline.
    expect(ollamaTemplate(builtinTemplate('chatml')!, '<|im_end|>')).not.toContain('{{-');
  });

  it('exports GGUF + Modelfile for Ollama into one folder', async () => {
    const ad = join(work, 'ad');
    makeTinyAdapter(ad);
    const out = join(work, 'ollama');
    const res = await runExportJob({ format: 'ollama', baseDir: TINY_MODEL, adapterDir: ad, outDir: out, quant: 'q8_0', template: { kind: 'spec', spec: builtinTemplate('qwen')! } });
    expect(res.files.map((f) => f.path).sort()).toEqual(['Modelfile', 'README.md', 'model-q8_0.gguf']);
    const mf = readFileSync(join(out, 'Modelfile'), 'utf8');
    expect(mf).toContain('SYSTEM """You are Qwen, created by Alibaba Cloud. You are a helpful assistant."""');
    expect(mf).toContain('PARAMETER stop "<|im_end|>"');
  });
});
