// Editing a column mapping in the wizard: which target fields each shape offers, and immutable updates of one field
// (its columns, its join template). Pure; the importer slice and the mapping step use it.
import type { FieldSource, Mapping, RoleTags, TargetField } from '../../../../preload/contract/datasets.js';

export type Shape = Mapping['shape'];
export const SHAPES: readonly Shape[] = ['single', 'conversation', 'preference', 'text'];

/** Target fields a shape reads, in the order the form shows them; `required` ones must be mapped. */
export const SHAPE_FIELDS: Record<Shape, readonly { field: TargetField; required: boolean }[]> = {
  single: [
    { field: 'instruction', required: true },
    { field: 'input', required: false },
    { field: 'output', required: true },
    { field: 'system', required: false },
    { field: 'history', required: false },
  ],
  conversation: [
    { field: 'messages', required: true },
    { field: 'system', required: false },
    { field: 'tools', required: false },
    { field: 'label', required: false },
  ],
  preference: [
    { field: 'instruction', required: true },
    { field: 'input', required: false },
    { field: 'chosen', required: true },
    { field: 'rejected', required: true },
    { field: 'system', required: false },
  ],
  text: [{ field: 'text', required: true }],
};

export const DEFAULT_ROLE_TAGS: RoleTags = {
  roleTag: 'from',
  contentTag: 'value',
  userTag: 'human',
  assistantTag: 'gpt',
  observationTag: 'observation',
  functionTag: 'function_call',
  systemTag: 'system',
};

/** Sets a field's columns; an empty list unmaps it. A template survives only while it still has several columns. */
export function setFieldColumns(mapping: Mapping, field: TargetField, columns: readonly string[]): Mapping {
  const fields: Partial<Record<TargetField, FieldSource>> = { ...mapping.fields };
  if (columns.length === 0) delete fields[field];
  else {
    const template = fields[field]?.template;
    fields[field] = columns.length > 1 && template !== undefined ? { columns: [...columns], template } : { columns: [...columns] };
  }
  return { ...mapping, fields };
}

/** Sets (or with '' clears) the join template of a multi-column field. */
export function setFieldTemplate(mapping: Mapping, field: TargetField, template: string): Mapping {
  const src = mapping.fields[field];
  if (!src) return mapping;
  const next: FieldSource = template === '' ? { columns: src.columns } : { columns: src.columns, template };
  return { ...mapping, fields: { ...mapping.fields, [field]: next } };
}

/** Switches shape, keeping the fields the new shape also reads. */
export function setShape(mapping: Mapping, shape: Shape): Mapping {
  const keep = new Set(SHAPE_FIELDS[shape].map((f) => f.field));
  if (shape === 'conversation') for (const f of ['instruction', 'input', 'output', 'history'] as const) keep.add(f);
  if (shape === 'preference') keep.add('messages');
  const fields = Object.fromEntries(Object.entries(mapping.fields).filter(([f]) => keep.has(f as TargetField))) as Mapping['fields'];
  return shape === 'conversation' ? { shape, fields, roles: mapping.roles ?? DEFAULT_ROLE_TAGS } : { shape, fields };
}

export function setRoleTag(mapping: Mapping, key: keyof RoleTags, value: string): Mapping {
  return { ...mapping, roles: { ...(mapping.roles ?? DEFAULT_ROLE_TAGS), [key]: value } };
}

/** Required fields of the shape that have no column: the wizard cannot go on while any remain. */
export function missingRequired(mapping: Mapping): TargetField[] {
  const fields = SHAPE_FIELDS[mapping.shape].filter((f) => f.required).map((f) => f.field);
  // A conversation may come from a messages column or from instruction/output columns with a history.
  if (mapping.shape === 'conversation' && !mapping.fields.messages && mapping.fields.instruction && mapping.fields.output) return [];
  if (mapping.shape === 'preference' && !mapping.fields.instruction && mapping.fields.messages) return fields.filter((f) => f !== 'instruction' && !mapping.fields[f]);
  return fields.filter((f) => !mapping.fields[f]);
}

/** The default join template for several columns: each as "column: {column}" on its own line. */
export function defaultTemplate(columns: readonly string[]): string {
  return columns.map((c) => `${c}: {${c}}`).join('\n');
}

/** Confidence as the wizard shows it: high ≥ 0.8, medium ≥ 0.5, else low. */
export function confidenceLevel(c: number | undefined): 'high' | 'medium' | 'low' | 'none' {
  if (c === undefined) return 'none';
  return c >= 0.8 ? 'high' : c >= 0.5 ? 'medium' : 'low';
}
