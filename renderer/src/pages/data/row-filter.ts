// Which dataset rows a search and a filter keep, as one predicate for a front-to-back scan. "problems" and
// "duplicates" are worked out here from the records (the datasets contract does not report them per row): a
// problem is an empty prompt or answer; a duplicate repeats an earlier row's text exactly. Pure per scan.
import type { DatasetRowDto } from '../../../../preload/contract/datasets.js';
import { matchesQuery, recordAnswer, recordPrompt, recordText } from '../../components/record-text.js';

export type RowFilter = 'all' | 'problems' | 'duplicates' | 'excluded' | 'edited' | 'train' | 'validation';

/** A fresh predicate: call it on rows in order (duplicates remember what came before). */
export function rowFilter(filter: RowFilter, query: string): (row: DatasetRowDto) => boolean {
  const seen = new Set<string>();
  return (row) => {
    let keep = true;
    switch (filter) {
      case 'excluded':
        keep = row.excluded;
        break;
      case 'edited':
        keep = row.edited;
        break;
      case 'train':
      case 'validation':
        keep = row.split === filter && !row.excluded;
        break;
      case 'problems':
        keep = recordPrompt(row.record).trim() === '' || (row.record.kind !== 'text' && recordAnswer(row.record).trim() === '');
        break;
      case 'duplicates': {
        const key = `${row.record.kind}\u0000${recordText(row.record)}`;
        keep = seen.has(key);
        seen.add(key);
        break;
      }
    }
    return keep && matchesQuery(row.record, query);
  };
}
