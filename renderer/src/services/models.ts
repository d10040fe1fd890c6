// Renderer-side access to the models domain (model card, VRAM estimate, the bundled demo model).
import type { IModelsService } from '../../../preload/contract/models.js';
import { domainOf } from '../bridge/lathe-client.js';

const api = () => domainOf<IModelsService>('models');

export const modelsService = {
  inspect: (r: Parameters<IModelsService['inspect']>[0]) => api().inspect(r),
  estimateVram: (r: Parameters<IModelsService['estimateVram']>[0]) => api().estimateVram(r),
  defaultModel: () => api().defaultModel({}),
};
export type ModelsService = typeof modelsService;
