// Renderer-side access to the playground domain (panes answering side by side, streamed tokens), plus the reads of
// the datasets domain the playground needs: a project's datasets and their validation rows as prompts.
import type { DatasetDto, RowsResult, IDatasetsService } from '../../../preload/contract/datasets.js';
import type { ErrorEvent, GenerationResultDto, IPlaygroundService, TokenEvent } from '../../../preload/contract/playground.js';
import { domainOf, onEvent } from '../bridge/lathe-client.js';

const api = () => domainOf<IPlaygroundService>('playground');
const datasets = () => domainOf<IDatasetsService>('datasets');

export const playgroundService = {
  targets: (projectId?: number) => api().targets(projectId === undefined ? {} : { projectId }),
  render: (r: Parameters<IPlaygroundService['render']>[0]) => api().render(r),
  generate: (r: Parameters<IPlaygroundService['generate']>[0]) => api().generate(r),
  stop: (paneId: string) => api().stop({ paneId }),
  close: (paneId: string) => api().close({ paneId }),
  datasets: (projectId?: number): Promise<readonly DatasetDto[]> => datasets().list(projectId === undefined ? {} : { projectId }),
  validationRows: (id: number, offset = 0, limit = 200): Promise<RowsResult> => datasets().rows({ id, offset, limit, split: 'validation' }),
  onToken: (cb: (e: TokenEvent) => void) => onEvent<TokenEvent>('playground.token', cb),
  onDone: (cb: (e: GenerationResultDto) => void) => onEvent<GenerationResultDto>('playground.done', cb),
  onError: (cb: (e: ErrorEvent) => void) => onEvent<ErrorEvent>('playground.error', cb),
};
export type PlaygroundService = typeof playgroundService;
