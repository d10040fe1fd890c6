// The Hugging Face Hub (or a mirror with the same paths, e.g. hf-mirror.com): lists a repository's files and
// names each file's download URL. Does not download (file-download.ts) or choose files (file-selection.ts).
//
// Endpoints and fields relied on (huggingface_hub's hf_api.py `model_info(files_metadata=True)` and
// file_download.py `hf_hub_url`):
//   GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true
//       → { sha: commit, siblings: [{ rfilename, size, blobId, lfs?: { sha256, size } }] }
//   GET {endpoint}/{repo}/resolve/{rev}/{path}  → the file; may 302 to a CDN; honours `Range`; headers
//       X-Repo-Commit, X-Linked-Etag / ETag (the SHA-256 for LFS files, the git blob SHA-1 otherwise), Content-Length.
//   Authorization: Bearer <token> for gated and private repositories; 401/403 without it.
import type { HubClient, HubFile, RepoListing } from './hub-types.js';
import { encodePath } from './hub-types.js';
import { DEFAULT_RETRY, hubGetJson, hubHeaders, type RetryPolicy } from './hub-http.js';

interface HfSibling {
  rfilename?: string;
  size?: number;
  blobId?: string;
  lfs?: { sha256?: string; size?: number };
}
interface HfModelInfo {
  sha?: string;
  siblings?: HfSibling[];
}

export class HfClient implements HubClient {
  readonly source = 'hf' as const;

  constructor(
    readonly endpoint: string,
    private readonly token: string | null,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  headers(): Record<string, string> {
    return hubHeaders(this.token);
  }

  async list(repo: string, revision: string, signal?: AbortSignal): Promise<RepoListing> {
    const url = `${this.endpoint}/api/models/${encodePath(repo)}/revision/${encodeURIComponent(revision)}?blobs=true`;
    const info = await hubGetJson<HfModelInfo>(url, this.headers(), `The file list of ${repo}@${revision}`, repo, this.retry, signal);
    const files: HubFile[] = (info.siblings ?? [])
      .filter((s): s is HfSibling & { rfilename: string } => typeof s.rfilename === 'string')
      .map((s) => ({
        path: s.rfilename,
        size: typeof s.lfs?.size === 'number' ? s.lfs.size : typeof s.size === 'number' ? s.size : null,
        sha256: isHex(s.lfs?.sha256, 64) ? s.lfs!.sha256!.toLowerCase() : null,
        gitSha1: !s.lfs && isHex(s.blobId, 40) ? s.blobId!.toLowerCase() : null,
      }));
    return { source: 'hf', repo, revision, commit: typeof info.sha === 'string' ? info.sha : null, files };
  }

  fileUrl(repo: string, revision: string, path: string): string {
    return `${this.endpoint}/${encodePath(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
  }
}

export function isHex(v: unknown, len: number): v is string {
  return typeof v === 'string' && v.length === len && /^[0-9a-f]+$/i.test(v);
}
