// Where a downloaded model lives in the workspace: models/<owner>--<name>, one folder per hub model id (the
// revision is recorded in the library, not in the name). Names pass through safeFileName; nothing else here.
import { safeFileName } from '../workspace/safe-path.js';

export function folderNameFor(repo: string): string {
  const [owner, name] = repo.split('/');
  return `${safeFileName(owner ?? 'model')}--${safeFileName(name ?? 'model')}`;
}
