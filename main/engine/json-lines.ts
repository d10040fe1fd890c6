// Splits a child's stdout into lines and parses each as a JSON object. Partial lines wait for their end; a line
// that is not a JSON object is handed back as noise (for the log), never thrown. Does not interpret events.

export type ParsedLine = { readonly kind: 'json'; readonly value: Record<string, unknown>; readonly raw: string } | { readonly kind: 'noise'; readonly raw: string };

export class JsonLineParser {
  private buffer = '';

  /** Feeds a chunk; returns every complete line in it. */
  push(chunk: string): ParsedLine[] {
    this.buffer += chunk;
    const out: ParsedLine[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const parsed = parseLine(line);
      if (parsed) out.push(parsed);
    }
    return out;
  }

  /** The unterminated tail, when the stream ends. */
  end(): ParsedLine[] {
    const rest = this.buffer;
    this.buffer = '';
    const parsed = parseLine(rest.replace(/\r$/, ''));
    return parsed ? [parsed] : [];
  }
}

function parseLine(line: string): ParsedLine | null {
  if (line.trim() === '') return null;
  if (line.trimStart().startsWith('{')) {
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) return { kind: 'json', value: value as Record<string, unknown>, raw: line };
    } catch {
      // falls through: not JSON after all
    }
  }
  return { kind: 'noise', raw: line };
}
