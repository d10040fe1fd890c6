// The library slice's state: the models on disk, downloads in flight (with every file's progress), the curated
// list, hub token status, and the curated list's search text.
import type { CuratedListDto, DownloadDto, LibraryModelDto, ModelCardDto, TokenStatusDto } from '../../../../preload/contract/index.js';

export interface LibraryState {
  libraryModels: readonly LibraryModelDto[];
  libraryStatus: 'idle' | 'loading' | 'ready' | 'error';
  libraryError: string | undefined;
  /** Downloads by id; progress events carry only changed files, merged in here. */
  downloads: Readonly<Record<string, DownloadDto>>;
  curated: CuratedListDto | undefined;
  curatedSearch: string;
  hubTokens: readonly TokenStatusDto[];
  /** Model ids with a check or removal in flight (their buttons are disabled). */
  libraryBusy: readonly number[];
  /** Full model cards by library id, loaded when a row's card is opened. */
  modelCards: Readonly<Record<number, ModelCardDto>>;
}

export const libraryInitialState: LibraryState = {
  libraryModels: [],
  libraryStatus: 'idle',
  libraryError: undefined,
  downloads: {},
  curated: undefined,
  curatedSearch: '',
  hubTokens: [],
  libraryBusy: [],
  modelCards: {},
};
