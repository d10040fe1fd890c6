// The dashboard's log tail reads engine events as sentences, not JSON.
import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-line.js';

const at = '2026-11-29T01:47:06.123Z';
const local = (() => {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
})();

describe('formatLogLine', () => {
  it('shows a step event as time, step, loss, lr and tokens/s', () => {
    const line = `${at} {"event":"step","step":14,"total_steps":30,"epoch":0.47,"loss":1.234567,"lr":0.0002,"grad_norm":0.8,"tokens":512,"tokens_per_s":1234.6,"memory_mib":300}`;
    expect(formatLogLine(line)).toEqual({ time: local, kind: 'step', text: 'step 14/30  loss 1.2346  lr 2.00e-4  1235 tokens/s' });
  });

  it('shows an error as its message and hint, and an eval compactly', () => {
    const err = `${at} {"event":"error","code":"out_of_memory","exit_code":3,"message":"Not enough memory.","hint":"Lower the batch size.","where":"x.cpp:1","details":{"a":1}}`;
    expect(formatLogLine(err)).toMatchObject({ kind: 'error', text: 'Not enough memory. (out_of_memory) — Lower the batch size.' });
    expect(formatLogLine(`${at} {"event":"eval","step":10,"eval_loss":2.5,"eval_tokens":100}`)).toMatchObject({ kind: 'eval', text: 'eval step 10  eval loss 2.5000' });
  });

  it('shows other events as name and scalar fields, and plain lines as they are', () => {
    expect(formatLogLine(`${at} {"event":"checkpoint","step":14,"path":"output/checkpoint-14","reason":"stop"}`)).toMatchObject({ kind: 'event', text: 'checkpoint step=14 path=output/checkpoint-14 reason=stop' });
    expect(formatLogLine(`${at} {"event":"done","step":14,"reason":"stopped","final_loss":1.23456789,"details":{}}`).text).toBe('done step=14 reason=stopped final_loss=1.235');
    expect(formatLogLine(`${at} [stderr] warning: slow disk`)).toEqual({ time: local, kind: 'text', text: '[stderr] warning: slow disk' });
    expect(formatLogLine(`${at} {not json`)).toMatchObject({ kind: 'text', text: '{not json' });
    expect(formatLogLine('no stamp')).toEqual({ time: '', kind: 'text', text: 'no stamp' });
  });
});
