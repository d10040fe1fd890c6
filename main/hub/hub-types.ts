// What Lathe needs to know about a model repository on a hub, whichever hub it is: the files at one revision,
// with size and checksum where the hub gives them. No HTTP here; the clients (hf-client, modelscope-client) fill it.

export type HubSource = 'hf' | 'modelscope';

export interface HubFile {
  /** Path inside the repository, `/`-separated. */
  readonly path: string;
  /** Bytes; null when the hub did not say (then only the Content-Length of the download is checked). */
  readonly size: number | null;
  /** Hex SHA-256 of the content (HF: `lfs.sha256` for LFS files; ModelScope: `Sha256`), else null. */
  readonly sha256: string | null;
  /** Hex git blob SHA-1 (HF `blobId` of a non-LFS file): sha1("blob <size>\0" + content), else null. */
  readonly gitSha1: string | null;
}

export interface RepoListing {
  readonly source: HubSource;
  readonly repo: string;
  /** What was asked for (branch, tag or commit). */
  readonly revision: string;
  /** The commit the listing describes, when the hub names it (HF `sha`). */
  readonly commit: string | null;
  readonly files: readonly HubFile[];
}

export interface HubClient {
  readonly source: HubSource;
  readonly endpoint: string;
  /** Lists every file of `repo` at `revision`. Throws LatheError forbidden (401/403) or not_found (404). */
  list(repo: string, revision: string, signal?: AbortSignal): Promise<RepoListing>;
  /** Where one file is downloaded from (may redirect; range requests are honoured). */
  fileUrl(repo: string, revision: string, path: string): string;
  /** Request headers every call carries (User-Agent, Authorization when a token is set). Never logged. */
  headers(): Record<string, string>;
}

/** `owner/name`: letters, digits, `-`, `_`, `.`; no `..`, no leading dot. What both hubs accept as a model id. */
export const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;

export function isRepoId(s: string): boolean {
  return REPO_ID.test(s) && !s.includes('..');
}

/** Paths are joined as URL path segments, each encoded, so a file name cannot change the URL's meaning. */
export function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export const DEFAULT_ENDPOINTS: Readonly<Record<HubSource, string>> = {
  hf: 'https://huggingface.co',
  modelscope: 'https://www.modelscope.cn',
};

/** An endpoint as typed by a user: http(s) only, no credentials, no query; trailing slashes dropped. */
export function normaliseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TypeError(`“${raw}” is not a URL. An endpoint looks like https://hf-mirror.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`The endpoint must start with http:// or https://, not ${url.protocol}`);
  if (url.username || url.password) throw new TypeError('Put no user name or password in the endpoint URL; use an access token instead.');
  if (url.search || url.hash) throw new TypeError('The endpoint URL takes no query (?…) or fragment (#…).');
  return url.toString().replace(/\/+$/, '');
}
