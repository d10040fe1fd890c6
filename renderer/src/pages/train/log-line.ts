// Turns a run log line ("<ISO time> <engine JSON event | text>") into a short readable line for the dashboard's
// log tail: step events as step/loss/lr/tokens per second, errors as message and hint, other events compactly.
// Pure; the raw text stays in the store (the log tail's "raw" toggle shows it).

export interface LogLineView {
  /** Local wall-clock time (HH:MM:SS) when the line has a timestamp, else ''. */
  readonly time: string;
  readonly kind: 'step' | 'eval' | 'error' | 'warning' | 'event' | 'text';
  readonly text: string;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/s;
/** Fields of an event not worth a line's space (the event name is shown first; long lists are left to "raw"). */
const HIDDEN = new Set(['event', 'protocol', 'tokens', 'logprobs', 'prompt_logits', 'prompt_top_logits', 'details', 'where']);

function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const fixed = (v: unknown, digits: number): string | null => (isNum(v) ? v.toFixed(digits) : null);
const sci = (v: unknown): string | null => (isNum(v) ? v.toExponential(2) : null);

function compactValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isNum(v)) return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return JSON.stringify(v);
}

function describe(e: Record<string, unknown>): Pick<LogLineView, 'kind' | 'text'> {
  const event = String(e.event);
  const parts = (pairs: readonly (readonly [string, string | null])[]) => pairs.filter(([, v]) => v !== null).map(([k, v]) => (k ? `${k} ${v}` : v)).join('  ');
  switch (event) {
    case 'step': {
      const step = isNum(e.total_steps) ? `${compactValue(e.step)}/${e.total_steps}` : compactValue(e.step);
      return { kind: 'step', text: parts([['step', step], ['loss', fixed(e.loss, 4)], ['lr', sci(e.lr)], ['', isNum(e.tokens_per_s) ? `${Math.round(e.tokens_per_s)} tokens/s` : null]]) };
    }
    case 'eval':
      return { kind: 'eval', text: parts([['eval', `step ${compactValue(e.step)}`], ['eval loss', fixed(e.eval_loss, 4)]]) };
    case 'error': {
      const head = [typeof e.message === 'string' ? e.message : 'error', typeof e.code === 'string' ? `(${e.code})` : ''].filter(Boolean).join(' ');
      return { kind: 'error', text: typeof e.hint === 'string' && e.hint ? `${head} — ${e.hint}` : head };
    }
    case 'warning':
      return { kind: 'warning', text: typeof e.message === 'string' ? e.message : 'warning' };
    default: {
      const fields = Object.entries(e).filter(([k, v]) => !HIDDEN.has(k) && v !== null && typeof v !== 'object');
      return { kind: 'event', text: [event, ...fields.map(([k, v]) => `${k}=${compactValue(v)}`)].join(' ') };
    }
  }
}

export function formatLogLine(line: string): LogLineView {
  const m = STAMP.exec(line);
  const time = m ? clock(m[1]!) : '';
  const rest = m ? m[2]! : line;
  if (rest.startsWith('{')) {
    try {
      const e = JSON.parse(rest) as unknown;
      if (e && typeof e === 'object' && !Array.isArray(e) && typeof (e as { event?: unknown }).event === 'string') return { time, ...describe(e as Record<string, unknown>) };
    } catch {
      // not an event: shown as text
    }
  }
  return { time, kind: 'text', text: rest };
}
