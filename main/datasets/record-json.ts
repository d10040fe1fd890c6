// A record's JSON text (exactly JSON.stringify(record)) and its scan (both content hashes, the mojibake pre-check) in
// one pass, for the validate step's report: single and text records are written piece by piece while hashed; field
// text that needs no escaping is copied as it is. Other kinds go through JSON.stringify, then the scanner. Also which
// records the import's writer thread can rebuild from two texts. It does not validate. (An import stores
// JSON.stringify(record) and its cyrb53 alone: row-write-thread.ts.)
import type { NormalisedRecord } from '../../preload/contract/datasets.js';
import { JsonScanner, type JsonScan, type JsonScannerState } from './content-hash.js';

const scanner = new JsonScanner();

/** The scan state after a record's constant opening (a third of a short record's text: not hashed again each row). */
function opening(text: string): JsonScannerState {
  scanner.reset();
  scanner.text(text, 0, text.length);
  return scanner.save();
}
const SINGLE_OPENING = opening('{"kind":"single","instruction":');
const TEXT_OPENING = opening('{"kind":"text","text":');

/** The piece `"text"` as JSON.stringify writes it, fed to the scanner as it goes. */
function quoted(s: string): string {
  scanner.text('"', 0, 1);
  const k = scanner.plain(s);
  if (k === s.length) {
    scanner.text('"', 0, 1);
    return `"${s}"`;
  }
  // Before k the escaped text is the text itself (JSON.stringify changes only what needs escaping): fed already.
  const esc = JSON.stringify(s);
  scanner.text(esc, 1 + k, esc.length);
  return esc;
}

/** Fills `out` with the scan of the returned JSON text: the same as scanJson(JSON.stringify(record), out). */
export function recordJson(record: NormalisedRecord, out: JsonScan): string {
  if (record.kind === 'single' && keysInOrder(record, SINGLE_KEYS)) {
    let json: string;
    if (record.system !== undefined) {
      scanner.reset();
      json = piece('{"kind":"single","system":') + quoted(record.system) + piece(',"instruction":') + quoted(record.instruction);
    } else {
      scanner.restore(SINGLE_OPENING);
      json = '{"kind":"single","instruction":' + quoted(record.instruction);
    }
    if (record.input !== undefined) json += piece(',"input":') + quoted(record.input);
    json += piece(',"output":') + quoted(record.output) + piece('}');
    scanner.finish(out);
    return json;
  }
  if (record.kind === 'text' && keysInOrder(record, TEXT_KEYS)) {
    scanner.restore(TEXT_OPENING);
    const json = '{"kind":"text","text":' + quoted(record.text) + piece('}');
    scanner.finish(out);
    return json;
  }
  scanner.reset();
  const json = JSON.stringify(record);
  scanner.text(json, 0, json.length);
  scanner.finish(out);
  return json;
}

/**
 * Whether `record` is `{kind: 'single', instruction, output}` with those keys in that order (the mapper's usual
 * single record): its JSON then follows from the two texts alone, so the importing thread can hand the two texts to
 * the writer thread and let it build the JSON (row-write-thread.ts).
 */
export function isPlainSingle(record: NormalisedRecord): record is NormalisedRecord & { kind: 'single'; system?: undefined; input?: undefined } {
  return record.kind === 'single' && record.system === undefined && record.input === undefined && keysInOrder(record, SINGLE_KEYS);
}

function piece(s: string): string {
  scanner.text(s, 0, s.length);
  return s;
}

const SINGLE_KEYS = ['kind', 'system', 'instruction', 'input', 'output'];
const TEXT_KEYS = ['kind', 'text'];

/**
 * Whether `r`'s own keys are `order` (those at odd places optional) in that order, each holding a string: the
 * mapper's literals (record-mapper.ts singleRecord). Anything else is left to JSON.stringify.
 */
function keysInOrder(r: object, order: readonly string[]): boolean {
  let j = 0;
  for (const k in r) {
    while (j < order.length && order[j] !== k) {
      if (j % 2 === 0) return false;
      j++;
    }
    if (j === order.length || typeof (r as Record<string, unknown>)[k] !== 'string') return false;
    j++;
  }
  return j === order.length;
}
