// The architecture's import rules, enforced: contract imports only zod and itself; main never imports the renderer;
// the renderer imports the contract's types only (never main/, never Node); native knows nothing of TypeScript.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

function files(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'build' || e.name === 'dist') continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(full);
    }
  };
  walk(path.join(root, dir));
  return out;
}

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) out.push({ file, spec: m[3]!, typeOnly: Boolean(m[2]) });
  for (const m of src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ file, spec: m[1]!, typeOnly: false });
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ file, spec: m[1]!, typeOnly: false });
  return out;
}

function target(i: Import): string {
  return i.spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(i.file), i.spec)) : i.spec;
}

const rel = (f: string) => path.relative(root, f);

describe('layering', () => {
  it('preload/contract depends on zod and itself only', () => {
    const bad = files('preload/contract', ['.ts'])
      .filter((f) => !f.endsWith('.test.ts'))
      .flatMap(imports)
      .filter((i) => !(i.spec === 'zod' || (i.spec.startsWith('./') && !i.spec.includes('..'))));
    expect(bad.map((i) => `${rel(i.file)} -> ${i.spec}`)).toEqual([]);
  });

  it('main never imports the renderer', () => {
    const bad = files('main', ['.ts']).flatMap(imports).filter((i) => target(i).startsWith('renderer'));
    expect(bad.map((i) => `${rel(i.file)} -> ${i.spec}`)).toEqual([]);
  });

  it('the renderer imports the contract as types only, and nothing of main/ or Node', () => {
    const all = files('renderer/src', ['.ts', '.tsx']).flatMap(imports);
    const bad = all.filter((i) => {
      const t = target(i);
      if (t.startsWith('preload')) return !i.typeOnly;
      if (t.startsWith('main') || t.startsWith('native')) return true;
      return i.spec.startsWith('node:') || ['fs', 'path', 'child_process', 'electron', 'better-sqlite3'].includes(i.spec);
    });
    expect(bad.map((i) => `${rel(i.file)} -> ${i.spec}${i.typeOnly ? ' (type)' : ''}`)).toEqual([]);
  });

  it('better-sqlite3 is used under main/db only', () => {
    const bad = files('main', ['.ts'])
      .filter((f) => !rel(f).startsWith(path.join('main', 'db')) && !f.endsWith('.test.ts'))
      .flatMap(imports)
      .filter((i) => i.spec === 'better-sqlite3' && !i.typeOnly);
    expect(bad.map((i) => rel(i.file))).toEqual([]);
  });

  it('native/ holds no TypeScript', () => {
    expect(files('native', ['.ts', '.tsx']).map(rel)).toEqual([]);
  });

  it('the layering check sees real imports (it can fail)', () => {
    expect(imports(path.join(root, 'renderer', 'src', 'bridge', 'lathe-client.ts')).some((i) => i.typeOnly && i.spec.includes('preload/contract'))).toBe(true);
  });
});
