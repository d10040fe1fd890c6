// ModelScope (modelscope.cn): lists a model's files and names each file's download URL. Same role as hf-client.
//
// Endpoints and fields relied on (modelscope's hub/api.py `get_model_files` and `get_file_download_url`):
//   GET {endpoint}/api/v1/models/{model_id}/repo/files?Revision={rev}&Recursive=true
//       → { Code: 200, Success: true, Data: { Files: [{ Name, Path, Size, Sha256, Type: 'blob' | 'tree' }] } }
//   GET {endpoint}/api/v1/models/{model_id}/repo?Revision={rev}&FilePath={path}  → the file; honours `Range`.
// The SDK logs in with the token to get cookies; Lathe sends `Authorization: Bearer <token>` instead, which is
// checked here only against the test double (test/fixtures/hub), not against the live service.
import type { HubClient, HubFile, RepoListing } from './hub-types.js';
import { encodePath } from './hub-types.js';
import { DEFAULT_RETRY, hubGetJson, hubHeaders, type RetryPolicy } from './hub-http.js';
import { LatheError } from '../../preload/contract/errors.js';
import { isHex } from './hf-client.js';

interface MsFile {
  Name?: string;
  Path?: string;
  Size?: number;
  Sha256?: string;
  Type?: string;
  Revision?: string;
}
interface MsFiles {
  Code?: number;
  Success?: boolean;
  Message?: string;
  Data?: { Files?: MsFile[] };
}

export class ModelScopeClient implements HubClient {
  readonly source = 'modelscope' as const;

  constructor(
    readonly endpoint: string,
    private readonly token: string | null,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  headers(): Record<string, string> {
    return hubHeaders(this.token);
  }

  async list(repo: string, revision: string, signal?: AbortSignal): Promise<RepoListing> {
    const url = `${this.endpoint}/api/v1/models/${encodePath(repo)}/repo/files?Revision=${encodeURIComponent(revision)}&Recursive=true`;
    const doc = await hubGetJson<MsFiles>(url, this.headers(), `The file list of ${repo}@${revision}`, repo, this.retry, signal);
    if (doc.Success === false || (doc.Code !== undefined && doc.Code !== 200) || !Array.isArray(doc.Data?.Files)) {
      throw new LatheError('not_found', `ModelScope has no file list for ${repo}@${revision}${doc.Message ? `: ${doc.Message}` : ''}. Check the model id and revision.`, { repo });
    }
    const files: HubFile[] = doc.Data.Files.filter((f) => f.Type !== 'tree' && typeof (f.Path ?? f.Name) === 'string').map((f) => ({
      path: (f.Path ?? f.Name)!,
      size: typeof f.Size === 'number' ? f.Size : null,
      sha256: isHex(f.Sha256, 64) ? f.Sha256.toLowerCase() : null,
      gitSha1: null,
    }));
    return { source: 'modelscope', repo, revision, commit: null, files };
  }

  fileUrl(repo: string, revision: string, path: string): string {
    return `${this.endpoint}/api/v1/models/${encodePath(repo)}/repo?Revision=${encodeURIComponent(revision)}&FilePath=${encodeURIComponent(path)}`;
  }
}
