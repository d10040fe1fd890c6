// `lathe chat MODEL_OR_RUN`: ask a model (or a run's base + adapter) questions from the terminal — one shot with
// --prompt, else a readline loop with history where Ctrl-C stops the current answer and Ctrl-D exits. Greedy
// unless a sampling flag is given. Reuses main/playground; does not store conversations.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { LatheError } from '../../../preload/contract/errors.js';
import { PLAYGROUND_ENGINES, SamplingOptions, type ChatMessage, type PlaygroundEngine } from '../../../preload/contract/playground.js';
import { RunsStore } from '../../db/runs-store.js';
import { TemplatesStore } from '../../db/templates-store.js';
import { buildChatPrompt } from '../../playground/chat-prompt.js';
import { openGenerator, runChatTurn, type ChatTurnResult } from '../../playground/chat-turn.js';
import type { Generator } from '../../playground/generator.js';
import { playgroundOnnxExporter } from '../../playground/onnx-exporter.js';
import { findOnnxFile, onnxCacheDir } from '../../playground/onnx-model-source.js';
import { toRunDetailDto } from '../../runs/run-dto.js';
import type { CliCommand, CliContext } from '../cli-command.js';
import { intFlag, parseFlags } from '../parse-flags.js';

const USAGE = `lathe chat MODEL_OR_RUN [--adapter DIR] [--engine native|onnx] [--template T] [--system S]
           [--max-new-tokens N] [--temperature X] [--top-p X] [--top-k N] [--repetition-penalty X] [--seed N]
           [--prompt TEXT]
MODEL_OR_RUN is a model folder (an exported ONNX folder for --engine onnx), or a run id (its base model + adapter).
--prompt answers once (with --json: {text, tokens, tokens_per_s, engine}); otherwise an interactive chat:
Ctrl-C stops the current answer, Ctrl-D exits, /reset forgets the conversation. Greedy unless a sampling flag is given.`;

const HISTORY_LINES = 500;

function numFlag(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new LatheError('invalid_request', `--${name} must be a number between ${min} and ${max}, not “${v}”.`);
  return n;
}

interface Target {
  readonly model: string;
  readonly adapter: string | undefined;
  readonly template: string | undefined;
}

function resolveTarget(ctx: CliContext, ref: string, adapter: string | undefined): Target {
  const m = /^(?:run:)?(\d+)$/.exec(ref);
  if (m && !fs.existsSync(ref)) {
    const store = new RunsStore(ctx.workspace().db);
    const run = store.find(Number(m[1]));
    if (!run) throw new LatheError('not_found', `No run ${m[1]} in ${ctx.home}. List them with: lathe run list`);
    const d = toRunDetailDto(run, store, ctx.workspace());
    const dir = adapter ?? d.adapterDir ?? undefined;
    if (!dir) throw new LatheError('conflict', `Run ${d.id} has no adapter yet (status ${d.status}); chat with its base model: lathe chat ${d.config.model}`);
    return { model: d.config.model, adapter: dir, template: d.config.template };
  }
  const model = path.resolve(ref);
  if (!fs.existsSync(model)) throw new LatheError('not_found', `${ref} is neither a model folder nor a run id.`);
  return { model, adapter: adapter ? path.resolve(adapter) : undefined, template: undefined };
}

function summary(r: ChatTurnResult) {
  return { text: r.text, tokens: r.tokens, tokens_per_s: r.tokensPerS, engine: r.engine, finish_reason: r.finishReason, prompt_tokens: r.promptTokens };
}

function stats(r: ChatTurnResult): string {
  const why = r.finishReason === 'cancelled' ? ', stopped' : r.finishReason === 'length' ? ', token limit' : '';
  return `[${r.tokens.length} tokens, ${r.tokensPerS.toFixed(1)} tokens/s, ${r.engine}${why}]`;
}

export const chatCommand: CliCommand = {
  name: 'chat',
  summary: 'Chat with a model or a fine-tuned run in the terminal (native engine or ONNX)',
  usage: USAGE,
  async run(ctx, args) {
    const { positionals, values } = parseFlags('chat', args, {
      adapter: { type: 'string' },
      engine: { type: 'string' },
      template: { type: 'string' },
      system: { type: 'string' },
      prompt: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      temperature: { type: 'string' },
      'top-p': { type: 'string' },
      'top-k': { type: 'string' },
      'repetition-penalty': { type: 'string' },
      seed: { type: 'string' },
    });
    if (positionals.length !== 1) throw new LatheError('invalid_request', `Usage: ${USAGE.split('\n')[0]}`);
    const engine = (values.engine ?? 'native') as PlaygroundEngine;
    if (!(PLAYGROUND_ENGINES as readonly string[]).includes(engine)) throw new LatheError('invalid_request', `--engine must be native or onnx, not “${values.engine}”.`);
    const temperature = numFlag('temperature', values.temperature, 0, 10);
    const topP = numFlag('top-p', values['top-p'], 1e-6, 1);
    const topK = values['top-k'] === undefined ? undefined : intFlag('top-k', values['top-k'], 0, 0, 100_000);
    const sampling = SamplingOptions.parse({
      // transformers' rule: sampling only when asked; any sampling flag asks.
      doSample: temperature !== undefined || topP !== undefined || topK !== undefined,
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(topK !== undefined ? { topK } : {}),
      maxNewTokens: intFlag('max-new-tokens', values['max-new-tokens'], 256, 1, 32_768),
      seed: intFlag('seed', values.seed, 42, 0, 2 ** 31 - 1),
      repetitionPenalty: numFlag('repetition-penalty', values['repetition-penalty'], 1, 10) ?? 1,
    });
    const target = resolveTarget(ctx, positionals[0]!, values.adapter);
    const template = values.template ?? target.template;
    const userTemplates = new TemplatesStore(ctx.workspace().db).list();
    const ask = (messages: ChatMessage[]) => buildChatPrompt({ model: target.model, template, system: values.system, messages, userTemplates });
    // Check the model and template before loading the engine: a broken folder fails here, clearly.
    const first = await ask([{ role: 'user', content: values.prompt ?? '' }]);
    if (engine === 'onnx' && !(target.adapter ? null : findOnnxFile(target.model)) && !findOnnxFile(onnxCacheDir(ctx.workspace().paths.cache, target.model, target.adapter))) {
      ctx.out.info('Exporting the model to ONNX for the first time (kept in the workspace cache for next time)…');
    }
    const generator = await openGenerator(
      { engine, model: target.model, adapter: target.adapter },
      { tmpDir: ctx.workspace().paths.tmp, cacheRoot: ctx.workspace().paths.cache, exporter: playgroundOnnxExporter, signal: ctx.signal },
    );
    try {
      if (values.prompt !== undefined) {
        const live = !ctx.json && process.stdout.isTTY === true;
        const r = await runChatTurn(generator, first, sampling, ctx.signal, (p) => {
          if (live) process.stdout.write(p.text);
        });
        if (live) {
          process.stdout.write('\n');
          process.stderr.write(`${stats(r)}\n`);
        } else ctx.out.result(summary(r), () => r.text);
        return 0;
      }
      ctx.out.info(`Chatting with ${target.model}${target.adapter ? ` + ${target.adapter}` : ''} (${engine} engine, template ${first.templateName}). Ctrl-C stops an answer, Ctrl-D exits, /reset forgets the conversation.`);
      return await interactive(ctx, generator, ask, sampling);
    } finally {
      await generator.dispose();
    }
  },
};

async function interactive(ctx: CliContext, generator: Generator, ask: (m: ChatMessage[]) => ReturnType<typeof buildChatPrompt>, sampling: SamplingOptions): Promise<number> {
  const historyFile = path.join(ctx.home, 'chat-history');
  let saved: string[] = [];
  try {
    saved = fs.readFileSync(historyFile, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_LINES);
  } catch {
    // first chat
  }
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal, history: saved, historySize: HISTORY_LINES, prompt: 'you> ' });
  const conversation: ChatMessage[] = [];
  let current: AbortController | null = null;
  rl.on('SIGINT', () => {
    if (current) current.abort();
    else {
      process.stdout.write('^C (Ctrl-D exits)\n');
      rl.prompt();
    }
  });
  const onOuter = () => current?.abort();
  ctx.signal.addEventListener('abort', onOuter);
  try {
    rl.prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '') {
        rl.prompt();
        continue;
      }
      fs.appendFile(historyFile, `${line.replace(/\n/g, ' ')}\n`, () => undefined);
      if (line === '/reset') {
        conversation.length = 0;
        process.stdout.write('(conversation cleared)\n');
        rl.prompt();
        continue;
      }
      if (line === '/exit' || line === '/quit') break;
      const messages: ChatMessage[] = [...conversation, { role: 'user', content: line }];
      current = new AbortController();
      try {
        const prompt = await ask(messages);
        // With --json, stdout carries one JSON line per answer and nothing else.
        const human = !ctx.json;
        if (human) process.stdout.write('model> ');
        const r = await runChatTurn(generator, prompt, sampling, current.signal, (p) => human && process.stdout.write(p.text));
        if (human) process.stdout.write(`\n${stats(r)}\n`);
        else ctx.out.line(summary(r));
        // A stopped answer stays in the conversation as far as it got.
        conversation.push({ role: 'user', content: line }, { role: 'assistant', content: r.text });
      } catch (err) {
        process.stdout.write('\n');
        ctx.out.error(err);
      } finally {
        current = null;
      }
      if (ctx.signal.aborted) break;
      rl.prompt();
    }
  } finally {
    ctx.signal.removeEventListener('abort', onOuter);
    rl.close();
  }
  process.stdout.write('\n');
  return 0;
}
