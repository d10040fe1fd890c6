// The README.md written beside an exported adapter (and a merged model): base model, template, LoRA and training
// settings, and how to load it. Text only; knows nothing about files on disk.
import type { AdapterConfig } from './lora-adapter.js';

export interface ReadmeInput {
  readonly title: string;
  readonly kind: 'adapter' | 'merged' | 'gguf' | 'onnx';
  readonly baseModel: string;
  readonly template: string | null;
  readonly adapter: AdapterConfig | null;
  /** Training settings as the run recorded them (learning rate, epochs …); shown as a table. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly stopStrings: readonly string[];
  readonly extra?: readonly string[];
}

function yamlScalar(s: string): string {
  return JSON.stringify(s);
}

export function renderReadme(r: ReadmeInput): string {
  const lines: string[] = ['---', 'library_name: ' + (r.kind === 'adapter' ? 'peft' : r.kind === 'merged' ? 'transformers' : r.kind === 'gguf' ? 'gguf' : 'onnx')];
  lines.push(`base_model: ${yamlScalar(r.baseModel)}`, 'tags:', '  - lathe', '  - lora', '---', '', `# ${r.title}`, '');
  const what =
    r.kind === 'adapter'
      ? 'A LoRA adapter (PEFT format) fine-tuned with Lathe.'
      : r.kind === 'merged'
        ? 'A model with a LoRA adapter merged into its weights by Lathe.'
        : r.kind === 'gguf'
          ? 'A GGUF file for llama.cpp and Ollama, exported by Lathe from a LoRA fine-tune.'
          : 'An ONNX decoder with key/value cache inputs, exported by Lathe from a LoRA fine-tune.';
  lines.push(what, '', '| | |', '|---|---|', `| Base model | \`${r.baseModel}\` |`, `| Chat template | ${r.template ? `\`${r.template}\`` : '(the base model\'s own)'} |`);
  if (r.stopStrings.length) lines.push(`| Stop strings | ${r.stopStrings.map((s) => `\`${JSON.stringify(s).slice(1, -1)}\``).join(', ')} |`);
  if (r.adapter) {
    const a = r.adapter;
    lines.push(`| LoRA rank r | ${a.r} |`, `| lora_alpha | ${a.loraAlpha} |`, `| Scaling | ${a.useRslora ? `rsLoRA: alpha/√r = ${(a.loraAlpha / Math.sqrt(a.r)).toFixed(4)}` : `alpha/r = ${(a.loraAlpha / a.r).toFixed(4)}`} |`);
    lines.push(`| Target modules | ${a.targetModules.map((m) => `\`${m}\``).join(', ') || '(see adapter_config.json)'} |`);
  }
  for (const [k, v] of Object.entries(r.settings)) lines.push(`| ${k} | ${typeof v === 'string' ? v : JSON.stringify(v)} |`);
  lines.push('');
  if (r.kind === 'adapter') {
    lines.push('## Use', '', '```python', 'from transformers import AutoModelForCausalLM, AutoTokenizer', 'from peft import PeftModel', '', `base = AutoModelForCausalLM.from_pretrained(${JSON.stringify(r.baseModel)})`, 'model = PeftModel.from_pretrained(base, "PATH/TO/THIS/FOLDER")', '```', '');
  } else if (r.kind === 'merged') {
    lines.push('## Use', '', '```python', 'from transformers import AutoModelForCausalLM, AutoTokenizer', '', 'model = AutoModelForCausalLM.from_pretrained("PATH/TO/THIS/FOLDER")', 'tokenizer = AutoTokenizer.from_pretrained("PATH/TO/THIS/FOLDER")', '```', '');
  }
  for (const e of r.extra ?? []) lines.push(e);
  return `${lines.join('\n')}\n`;
}
