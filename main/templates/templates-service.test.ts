import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../workspace/workspace.js';
import { builtinTemplate } from './template-registry.js';
import { TemplatesService } from './templates-service.js';
import { PreviewService } from '../preview/preview-service.js';

describe('templates service (user templates in the workspace)', () => {
  it('saves, lists, renders with and removes a user template; refuses built-in names', async () => {
    const workspace = openWorkspace(mkdtempSync(join(tmpdir(), 'lathe-tpl-')));
    const svc = new TemplatesService({ workspace, events: { emit: () => {} }, transport: 'web' });
    const spec = { ...builtinTemplate('chatml')!, name: 'my-chat', description: 'mine', defaultSystem: 'Be kind.' };
    await svc.save({ spec });
    expect((await svc.list({})).filter((t) => t.source === 'user').map((t) => t.name)).toEqual(['my-chat']);
    expect((await svc.get({ name: 'my-chat' })).spec?.defaultSystem).toBe('Be kind.');
    await expect(svc.save({ spec: { ...spec, name: 'qwen' } })).rejects.toMatchObject({ code: 'already_exists' });

    const preview = new PreviewService({ userTemplates: () => svc.userTemplates() });
    const p = await preview.record({ modelPath: 'data/models/lathe-tiny-llama', template: 'my-chat', record: { kind: 'single', instruction: 'hi', output: 'yo' } });
    expect(p.text.startsWith('<|im_start|>system\nBe kind.<|im_end|>\n')).toBe(true);

    await svc.remove({ name: 'my-chat' });
    await expect(svc.get({ name: 'my-chat' })).rejects.toMatchObject({ code: 'not_found' });
    expect((await svc.propose({ modelPath: 'data/models/lathe-tiny-llama' })).template).toBe('chatml');
    expect((await svc.propose({ modelPath: 'data/models/lathe-tiny-llama', template: 'alpaca' })).warnings[0]).toMatchObject({ code: expect.stringMatching(/^template\./), message: expect.any(String) });
    workspace.db.close();
  });
});
