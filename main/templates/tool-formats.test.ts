import { describe, expect, it } from 'vitest';
import { LLAMAFACTORY_TEMPLATES } from './llamafactory-templates.js';
import { buildTurns, type Element, type TurnMessage } from './template-turns.js';
import { formatFunctionContent, pyJsonDumps } from './tool-formats.js';

const spec = (name: string) => LLAMAFACTORY_TEMPLATES.find((t) => t.name === name)!;
const text = (els: Element[]) => els.map((e) => ('text' in e ? e.text : 'eos' in e ? '</s>' : 'bos' in e ? '<s>' : e.token)).join('');

const TOOLS = JSON.stringify([
  { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string', description: 'City' } }, required: ['city'] } },
]);
const MSGS: TurnMessage[] = [
  { role: 'user', content: 'Weather in 北京?' },
  { role: 'function', content: '{"name": "get_weather", "arguments": {"city": "北京"}}' },
  { role: 'observation', content: '{"temp": 20}' },
  { role: 'assistant', content: 'It is 20°C.' },
];

describe("Python's json.dumps", () => {
  it('uses ", " and ": ", keeps non-ASCII, escapes controls, writes floats like repr', () => {
    expect(pyJsonDumps({ a: [1, 'é"\n\u0001'], b: { c: null, d: true } })).toBe('{"a": [1, "é\\"\\n\\u0001"], "b": {"c": null, "d": true}}');
    expect(pyJsonDumps([0.00001, 0.0001, 123.456, 2.5e-7, 1.5])).toBe('[1e-05, 0.0001, 123.456, 2.5e-07, 1.5]');
  });
});

describe('tool formats (LLaMA-Factory tool_utils)', () => {
  it('qwen: tool list in the system prompt, <tool_call> JSON for calls, <tool_response> for results', () => {
    const turns = buildTurns(spec('qwen'), MSGS, 'S', {}, TOOLS);
    expect(text(turns[0]!.source)).toBe(
      '<|im_start|>system\nS\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
        'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
        '{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City"}}, "required": ["city"]}}}' +
        '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
        '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\nWeather in 北京?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(text(turns[0]!.target)).toBe('<tool_call>\n{"name": "get_weather", "arguments": {"city": "北京"}}\n</tool_call><|im_end|>\n');
    expect(text(turns[1]!.source)).toBe('<|im_start|>user\n<tool_response>\n{"temp": 20}\n</tool_response><|im_end|>\n<|im_start|>assistant\n');
    expect(text(turns[1]!.target)).toBe('It is 20°C.<|im_end|>\n');
  });

  it('default: "Tool Name / Tool Args" list and Action / Action Input calls', () => {
    const turns = buildTurns(spec('default'), MSGS, undefined, {}, TOOLS);
    expect(text(turns[0]!.source)).toBe(
      'System: You have access to the following tools:\n> Tool Name: get_weather\nTool Description: Weather\nTool Args:\n  - city (string, required): City\n\n' +
        'Use the following format if using a tool:\n```\nAction: tool name (one of [get_weather])\n' +
        'Action Input: the input to the tool, in a JSON format representing the kwargs (e.g. ```{"input": "hello world", "num_beams": 5}```)\n```\n' +
        '</s>\nHuman: Weather in 北京?</s>\nAssistant:',
    );
    expect(text(turns[0]!.target)).toBe('Action: get_weather\nAction Input: {"city": "北京"}</s>\n');
  });

  it('keeps a thought in front of the calls and accepts a list of calls', () => {
    expect(formatFunctionContent('qwen', '<think>\nplan\n</think>\n\n[{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"x": 1}}]', ['<think>\n', '\n</think>\n\n'])).toBe(
      '<think>\nplan\n</think>\n\n<tool_call>\n{"name": "a", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "b", "arguments": {"x": 1}}\n</tool_call>',
    );
  });

  it('refuses tool formats it cannot render', () => {
    expect(() => buildTurns(spec('llama3'), MSGS, undefined, {}, TOOLS)).toThrow(/not rendered yet/);
  });
});

describe('mistral tool format', () => {
  it('puts [AVAILABLE_TOOLS] in the fused system text and [TOOL_CALLS] JSON lists in answers', () => {
    const turns = buildTurns(spec('mistral'), MSGS, 'S', {}, TOOLS);
    expect(text(turns[0]!.source)).toBe(
      '<s>[INST] S[AVAILABLE_TOOLS] [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City"}}, "required": ["city"]}}}][/AVAILABLE_TOOLS]\n\nWeather in 北京?[/INST]',
    );
    expect(text(turns[0]!.target)).toBe('[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "北京"}}]</s>');
    expect(text(turns[1]!.source)).toBe('[TOOL_RESULTS] {"content": {"temp": 20}}[/TOOL_RESULTS]');
  });
});
