import { describe, expect, it } from 'vitest';
import type { Mapping } from '../../preload/contract/datasets.js';
import { renderField, templateColumns } from './field-template.js';
import { RecordMapper } from './record-mapper.js';
import { validateRecord } from './record-validator.js';

const sharegpt = { roleTag: 'from', contentTag: 'value', userTag: 'human', assistantTag: 'gpt', observationTag: 'observation', functionTag: 'function_call', systemTag: 'system' };

describe('field template', () => {
  it('concatenates columns with a template and with newlines', () => {
    const values = { order_id: 42, context: '没收到货', empty: '' };
    expect(renderField({ columns: ['order_id', 'context'], template: '订单号: {order_id}\n{context}' }, values)).toEqual({ text: '订单号: 42\n没收到货' });
    expect(renderField({ columns: ['order_id', 'empty', 'context'] }, values)).toEqual({ text: '42\n没收到货' });
    expect(renderField({ columns: ['empty'], template: 'Order: {empty}' }, values)).toEqual({ text: '' });
    expect(renderField({ columns: ['x'], template: '{{literal}} {x}' }, { x: 'v' })).toEqual({ text: '{literal} v' });
    expect(templateColumns('a {b} {{c}} {d}')).toEqual(['b', 'd']);
  });

  it('refuses lists and objects where text is expected', () => {
    expect(renderField({ columns: ['x'] }, { x: [1, 2] })).toEqual({ error: 'Column “x” holds a list, not text.', column: 'x', holds: 'list' });
  });
});

describe('record mapper', () => {
  it('maps a single-turn table row with system and input', () => {
    const m: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, input: { columns: ['ctx'] }, output: { columns: ['a'] }, system: { columns: ['sys'] } } };
    expect(new RecordMapper(m).map({ q: 'Where?', ctx: 'order 1', a: 'Here.', sys: 'Be kind' })).toEqual({ record: { kind: 'single', system: 'Be kind', instruction: 'Where?', input: 'order 1', output: 'Here.' }, problems: [] });
    expect(new RecordMapper(m).map({ q: 'Where?', ctx: '', a: 'Here.', sys: null }).record).toEqual({ kind: 'single', instruction: 'Where?', output: 'Here.' });
  });

  it('turns an alpaca history column into a conversation', () => {
    const m: Mapping = { shape: 'single', fields: { instruction: { columns: ['instruction'] }, output: { columns: ['output'] }, history: { columns: ['history'] } } };
    const r = new RecordMapper(m).map({ instruction: 'and now?', output: 'done', history: JSON.stringify([['hi', 'hello']]) });
    expect(r.record).toEqual({ kind: 'conversation', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'and now?' }, { role: 'assistant', content: 'done' }] });
  });

  it('maps sharegpt messages with tags, a leading system turn, tools and roles', () => {
    const m: Mapping = { shape: 'conversation', fields: { messages: { columns: ['conversations'] }, tools: { columns: ['tools'] } }, roles: sharegpt };
    const r = new RecordMapper(m).map({
      conversations: [{ from: 'system', value: 'S' }, { from: 'human', value: 'q' }, { from: 'function_call', value: '{"name":"f"}' }, { from: 'observation', value: '{"r":1}' }, { from: 'gpt', value: 'a' }],
      tools: '[{"name":"f"}]',
    });
    expect(r.record).toEqual({ kind: 'conversation', system: 'S', messages: [{ role: 'user', content: 'q' }, { role: 'function', content: '{"name":"f"}' }, { role: 'tool', content: '{"r":1}' }, { role: 'assistant', content: 'a' }], tools: '[{"name":"f"}]' });
    expect(validateRecord(r.record!, m)).toEqual([]);
  });

  it('reports unknown roles and bad role order with the column', () => {
    const m: Mapping = { shape: 'conversation', fields: { messages: { columns: ['c'] } }, roles: sharegpt };
    const unknown = new RecordMapper(m).map({ c: [{ from: 'bot', value: 'x' }] });
    expect(unknown.problems[0]).toMatchObject({ column: 'c', message: expect.stringContaining('unknown role “bot”'), code: 'dataset.unknownRole', params: { n: 1, tag: 'bot', expected: 'human, gpt, system, observation, function_call' } });
    const order = new RecordMapper(m).map({ c: [{ from: 'gpt', value: 'a' }, { from: 'human', value: 'q' }] });
    expect(validateRecord(order.record!, m)[0]).toMatchObject({ column: 'c', message: expect.stringMatching(/^Bad role order: message 1/), code: 'dataset.roleShouldBePrompt', params: { n: 1, role: 'assistant' } });
    const unfinished = new RecordMapper(m).map({ c: [{ from: 'human', value: 'q' }] });
    expect(validateRecord(unfinished.record!, m)[0]).toMatchObject({ message: expect.stringMatching(/ends without an assistant answer/), code: 'dataset.noFinalAnswer' });
    const empty = new RecordMapper(m).map({ c: [] });
    expect(validateRecord(empty.record!, m)).toEqual([{ column: 'c', message: 'Empty conversation.', code: 'dataset.emptyConversation', params: {} }]);
  });

  it('maps preference pairs from sharegpt ranking files and from tables', () => {
    const m: Mapping = { shape: 'preference', fields: { messages: { columns: ['conversations'] }, chosen: { columns: ['chosen'] }, rejected: { columns: ['rejected'] } }, roles: sharegpt };
    const r = new RecordMapper(m).map({ conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'good' }, rejected: { from: 'gpt', value: 'bad' } });
    expect(r.record).toEqual({ kind: 'preference', prompt: [{ role: 'user', content: 'q' }], chosen: 'good', rejected: 'bad' });
    const t: Mapping = { shape: 'preference', fields: { instruction: { columns: ['p'] }, chosen: { columns: ['c'] }, rejected: { columns: ['r'] } } };
    const tr = new RecordMapper(t).map({ p: 'q', c: 'yes', r: '' });
    expect(tr.record).toEqual({ kind: 'preference', prompt: 'q', chosen: 'yes', rejected: '' });
    expect(validateRecord(tr.record!, t)).toEqual([{ column: 'r', message: 'Empty rejected answer.', code: 'dataset.emptyField', params: { field: 'rejected' } }]);
  });

  it('flags empty targets and non-text values', () => {
    const m: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] } } };
    const r = new RecordMapper(m).map({ q: '  ', a: { nested: true } });
    expect(r.problems).toEqual([{ column: 'a', message: 'Column “a” holds an object, not text. (answer)', code: 'dataset.notText', params: { column: 'a', holds: 'object', field: 'output' } }]);
    expect(validateRecord(r.record!, m)).toEqual([
      { column: 'q', message: 'Empty instruction.', code: 'dataset.emptyField', params: { field: 'instruction' } },
      { column: 'a', message: 'Empty answer.', code: 'dataset.emptyField', params: { field: 'output' } },
    ]);
  });

  it('codes list cells that are not lists, messages that are not objects and labels that are not booleans', () => {
    const m: Mapping = { shape: 'conversation', fields: { messages: { columns: ['c'] }, label: { columns: ['l'] } }, roles: sharegpt };
    expect(new RecordMapper(m).map({ c: '[oops', l: 'maybe' }).problems).toEqual([
      { column: 'c', message: 'The conversation is not a valid JSON list.', code: 'dataset.conversationNotJson', params: {} },
      { column: 'l', message: 'The label “maybe” is not true or false.', code: 'dataset.labelNotBoolean', params: { value: 'maybe' } },
    ]);
    expect(new RecordMapper(m).map({ c: [7] }).problems).toMatchObject([{ code: 'dataset.messageNotObject', params: { n: 1 } }]);
    const h: Mapping = { shape: 'single', fields: { instruction: { columns: ['q'] }, output: { columns: ['a'] }, history: { columns: ['h'] } } };
    expect(new RecordMapper(h).map({ q: 'q', a: 'a', h: 5 }).problems).toMatchObject([{ column: 'h', code: 'dataset.historyNotList' }]);
  });

  it('reads KTO labels and text records', () => {
    const m: Mapping = { shape: 'conversation', fields: { messages: { columns: ['messages'] }, label: { columns: ['label'] } }, roles: { ...sharegpt, roleTag: 'role', contentTag: 'content', userTag: 'user', assistantTag: 'assistant' } };
    expect(new RecordMapper(m).map({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], label: false }).record).toMatchObject({ label: false });
    expect(new RecordMapper({ shape: 'text', fields: { text: { columns: ['text'] } } }).map({ text: 'doc' }).record).toEqual({ kind: 'text', text: 'doc' });
  });
});
