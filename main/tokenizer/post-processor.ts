// HF post-processors for a single sequence (TemplateProcessing, ByteLevel, Roberta/Bert, Sequence): which
// special ids wrap an encoding when add_special_tokens is on. Pairs are not supported: Lathe never encodes pairs.
import { LatheError } from '../../preload/contract/errors.js';

export type PostProcessor = (ids: number[]) => number[];

export interface PostProcessorJson {
  readonly type: string;
  readonly [k: string]: unknown;
}

type Piece = { SpecialToken?: { id: string }; Sequence?: { id: string } };

export function buildPostProcessor(j: PostProcessorJson | null | undefined): PostProcessor | null {
  if (!j) return null;
  switch (j.type) {
    case 'ByteLevel':
      return null;
    case 'TemplateProcessing': {
      const special = j.special_tokens as Record<string, { ids: number[] }>;
      const single = j.single as Piece[];
      return (ids) => {
        const out: number[] = [];
        for (const p of single) {
          if (p.Sequence) out.push(...ids);
          else if (p.SpecialToken) {
            const t = special[p.SpecialToken.id];
            if (!t) throw new LatheError('bad_input', `TemplateProcessing names unknown special token ${p.SpecialToken.id}.`);
            out.push(...t.ids);
          }
        }
        return out;
      };
    }
    case 'RobertaProcessing':
    case 'BertProcessing': {
      const cls = (j.cls as [string, number])[1];
      const sep = (j.sep as [string, number])[1];
      return (ids) => [cls, ...ids, sep];
    }
    case 'Sequence': {
      const parts = (j.processors as PostProcessorJson[]).map(buildPostProcessor).filter((p): p is PostProcessor => p !== null);
      return (ids) => parts.reduce((acc, p) => p(acc), ids);
    }
    default:
      throw new LatheError('unsupported', `Tokenizer post-processor "${j.type}" is not supported yet.`);
  }
}
