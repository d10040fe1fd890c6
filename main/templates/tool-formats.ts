// LLaMA-Factory's tool texts (tool_utils.py) for the default, qwen and mistral formats: the tool list in the system
// prompt and function-call turns, in Python's json.dumps spacing. Others (llama3 dates its prompt) are refused.
import { LatheError } from '../../preload/contract/errors.js';

export const SUPPORTED_TOOL_FORMATS = ['default', 'qwen', 'mistral'] as const;
type ToolFormat = (typeof SUPPORTED_TOOL_FORMATS)[number];

/** Python's repr of a float as json.dumps writes it: shortest digits, exponent form below 1e-4 and from 1e16.
 *  (An integral float such as 1.0 arrives here as 1 after JSON.parse and is written "1", where Python keeps "1.0".) */
function pyNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  const [mant, expStr] = n.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (!Number.isInteger(n) && (exp < -4 || exp >= 16)) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

function pyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** `json.dumps(value, ensure_ascii=False)`: ", " and ": " separators, non-ASCII kept. */
export function pyJsonDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return '[' + v.map(pyJsonDumps).join(', ') + ']';
  return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${pyJsonDumps(x)}`).join(', ') + '}';
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new LatheError('bad_input', `Invalid JSON in ${what}: ${text.slice(0, 80)}`);
  }
}

function requireFormat(format: string): ToolFormat {
  if ((SUPPORTED_TOOL_FORMATS as readonly string[]).includes(format)) return format as ToolFormat;
  throw new LatheError('unsupported', `Tool format "${format}" is not rendered yet (supported: ${SUPPORTED_TOOL_FORMATS.join(', ')}).`);
}

type Tool = { type?: string; function?: Tool; name?: string; description?: string; parameters?: { properties?: Record<string, Record<string, unknown>>; required?: string[] } };

/** ToolFormatter.apply: the text appended to the system prompt; '' for an empty list. */
export function formatTools(format: string, toolsJson: string): string {
  const tools = parseJson(toolsJson, 'the tool list') as Tool[];
  if (!Array.isArray(tools) || tools.length === 0) return '';
  const f = requireFormat(format);
  const wrapped = tools.map((t) => (t.type === 'function' ? t : { type: 'function', function: t }));
  if (f === 'mistral') return `[AVAILABLE_TOOLS] ${pyJsonDumps(wrapped)}[/AVAILABLE_TOOLS]`;
  if (f === 'qwen') {
    const text = wrapped.map((t) => '\n' + pyJsonDumps(t)).join('');
    return (
      '\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
      `You are provided with function signatures within <tools></tools> XML tags:\n<tools>${text}` +
      '\n</tools>\n\nFor each function call, return a json object with function name and arguments within ' +
      '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
    );
  }
  let toolText = '';
  const names: string[] = [];
  for (const raw of tools) {
    const tool = raw.type === 'function' ? (raw.function ?? {}) : raw;
    let params = '';
    for (const [name, p] of Object.entries(tool.parameters?.properties ?? {})) {
      const required = (tool.parameters?.required ?? []).includes(name) ? ', required' : '';
      const en = Array.isArray(p.enum) && p.enum.length ? `, should be one of [${(p.enum as string[]).join(', ')}]` : '';
      const items = p.items ? `, where each item should be ${String((p.items as { type?: string }).type ?? '')}` : '';
      params += `  - ${name} (${String(p.type ?? '')}${required}): ${String(p.description ?? '')}${en}${items}\n`;
    }
    toolText += `> Tool Name: ${tool.name}\nTool Description: ${tool.description ?? ''}\nTool Args:\n${params}\n`;
    names.push(String(tool.name));
  }
  return (
    `You have access to the following tools:\n${toolText}` +
    'Use the following format if using a tool:\n```\n' +
    `Action: tool name (one of [${names.join(', ')}])\n` +
    'Action Input: the input to the tool, in a JSON format representing the kwargs (e.g. ```{"input": "hello world", "num_beams": 5}```)\n```\n'
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function functionCalls(format: ToolFormat, json: string): string {
  let calls = parseJson(json, 'a function-call message') as { name: string; arguments: unknown } | { name: string; arguments: unknown }[];
  if (!Array.isArray(calls)) calls = [calls];
  if (format === 'mistral') return pyJsonDumps(calls.map((c) => ({ name: c.name, arguments: c.arguments })));
  if (format === 'qwen') return calls.map((c) => `<tool_call>\n${pyJsonDumps({ name: c.name, arguments: c.arguments })}\n</tool_call>`).join('\n');
  return calls.map((c) => `Action: ${c.name}\nAction Input: ${pyJsonDumps(c.arguments)}`).join('\n');
}

/** FunctionFormatter.apply's content: a thought kept in front, the calls in the format's syntax. */
export function formatFunctionContent(format: string, content: string, thoughtWords: readonly [string, string], toolCallWords: readonly [string, string] = ['<tool_call>', '</tool_call>']): string {
  const f = requireFormat(format);
  const callRe = new RegExp(`${escapeRe(toolCallWords[0])}([\\s\\S]*?)${escapeRe(toolCallWords[1])}`);
  const call = callRe.exec(content);
  if (call) return content.replaceAll(call[0], () => '') + functionCalls(f, call[1]!);
  const thought = new RegExp(`${escapeRe(thoughtWords[0])}([\\s\\S]*?)${escapeRe(thoughtWords[1])}`).exec(content);
  const json = thought ? content.replaceAll(thought[0], () => '') : content;
  const text = functionCalls(f, json);
  return thought ? thought[0] + text : text;
}
