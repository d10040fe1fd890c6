// Errors a person meets in normal use (a missing model folder, a file Lathe cannot read, …) carry a code: this test
// throws real ones and checks that the renderer shows main's English exactly in English, a full translation in
// Chinese, and that the code survives the bridge (toJSON → fromSerialized → messageOf). Coverage of every listed
// code is main-message-codes.test.ts's job.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LatheError } from '../../preload/contract/errors.js';
import { readDatasetInfo } from '../../main/datasets/llamafactory-folder.js';
import { openSource } from '../../main/datasets/readers/source-reader.js';
import { statusError } from '../../main/hub/hub-http.js';
import { readModelFolder } from '../../main/models/model-folder.js';
import { resolveInside } from '../../main/workspace/safe-path.js';
import { LatheError as RendererError, messageOf, setErrorLanguage } from '../../renderer/src/bridge/lathe-error.js';
import { translateMainMessage } from '../../renderer/src/i18n/main-message-text.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lathe-err-codes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

async function thrown(work: () => unknown): Promise<LatheError> {
  try {
    await work();
  } catch (err) {
    expect(err).toBeInstanceOf(LatheError);
    return err as LatheError;
  }
  throw new Error('expected a LatheError');
}

describe('errors people meet, as main throws them', () => {
  it('read the same in the renderer’s English, are fully translated in Chinese, and cross the bridge', async () => {
    file('noconfig/readme.md', 'x');
    file('badconfig/config.json', '{');
    file('gpt/config.json', JSON.stringify({ architectures: ['SomethingForCausalLM'] }));
    file('lf/readme.md', 'x');
    const errors = await Promise.all([
      thrown(() => readModelFolder(path.join(dir, 'gone'))),
      thrown(() => readModelFolder(path.join(dir, 'noconfig'))),
      thrown(() => readModelFolder(path.join(dir, 'badconfig'))),
      thrown(() => readModelFolder(path.join(dir, 'gpt'))),
      thrown(() => openSource(path.join(dir, 'missing.csv'))),
      thrown(() => openSource(path.join(dir, 'noconfig'))),
      thrown(() => openSource(file('empty.csv', ''))),
      thrown(() => openSource(file('old.xls', 'x'))),
      thrown(() => openSource(file('notes.docx', 'x'))),
      thrown(() => openSource(file('book.xlsx', 'not a zip at all'))),
      thrown(() => readDatasetInfo(path.join(dir, 'lf'))),
      thrown(() => resolveInside(dir, '..', 'x')),
    ]);
    // What the hub answers to a pull: gated, missing, refused (huggingface_hub's X-Error-Code headers, or none).
    const hub = (status: number, hasToken: boolean, code?: string, message?: string) =>
      statusError(status, 'The file list of a/b@main', 'a/b', hasToken, new Headers({ ...(code ? { 'x-error-code': code } : {}), ...(message ? { 'x-error-message': message } : {}) })) as LatheError;
    errors.push(
      hub(404, false, 'RevisionNotFound'), hub(401, true, undefined, 'Invalid credentials in Authorization header'),
      hub(401, true, 'GatedRepo'), hub(401, false, 'GatedRepo'), hub(404, true, 'RepoNotFound'), hub(401, false, 'RepoNotFound'),
      hub(403, true), hub(403, false),
    );
    expect(new Set(errors.map((e) => e.text?.code)).size).toBe(errors.length);
    for (const e of errors) {
      expect(e.text, e.message).toBeDefined();
      const m = { message: e.message, code: e.text!.code, params: e.text!.params };
      expect(translateMainMessage('en', m)).toBe(e.message);
      const zh = translateMainMessage('zh', m);
      expect(zh).not.toBe(e.message);
      expect(zh).not.toMatch(/\{\w+(\|[^}]*)?\}/); // every placeholder filled (a JSON parser's detail may hold braces)

      const wire = JSON.parse(JSON.stringify(e)) as ReturnType<LatheError['toJSON']>;
      expect(LatheError.fromSerialized(wire).text).toEqual(e.text);
      const shown = RendererError.fromSerialized(wire);
      expect(messageOf(shown, 'zh')).toBe(zh);
      expect(messageOf(shown, 'en')).toBe(e.message);
    }
  });

  it('an error without a code is shown as main wrote it; the language follows setErrorLanguage', () => {
    const plain = RendererError.fromSerialized({ name: 'LatheError', code: 'internal', message: 'Something odd.' });
    expect(messageOf(plain, 'zh')).toBe('Something odd.');
    const coded = RendererError.fromSerialized(new LatheError('not_found', 'Model folder /m does not exist.', undefined, { code: 'err.modelFolder.missing', params: { path: '/m' } }).toJSON());
    setErrorLanguage('zh');
    expect(messageOf(coded)).toBe('模型文件夹 /m 不存在。');
    setErrorLanguage('en');
    expect(messageOf(coded)).toBe('Model folder /m does not exist.');
  });

  it('counts in import errors read as main writes them', () => {
    expect(translateMainMessage('en', { message: '', code: 'err.import.badRows', params: { name: 'a.csv', count: 1 } })).toBe('a.csv: 1 row has a problem, so nothing was imported. Fix the mapping, or leave those rows out (CLI: --skip-bad).');
    expect(translateMainMessage('en', { message: '', code: 'err.import.badRowsAtColumn', params: { name: 'a.csv', count: 3, row: 2, column: 'q', problem: 'Empty answer.' } })).toBe(
      'a.csv: 3 rows have problems, so nothing was imported. First: row 2, column “q”: Empty answer. Fix the mapping, or leave those rows out (CLI: --skip-bad).',
    );
  });
});
