// The `models` domain in main: model cards and VRAM estimates for local Hugging Face folders. Reads files only.
import type { DefaultModelRequest, EstimateVramRequest, IModelsService, InspectModelRequest, ModelCardDto, VramEstimateDto } from '../../preload/contract/models.js';
import { defaultModelPath } from './default-model.js';
import { buildModelCard, shapeOf } from './model-card.js';
import { readModelFolder } from './model-folder.js';
import { summariseSafetensors } from './safetensors-header.js';
import { estimateVram } from './vram-estimate.js';

export class ModelsService implements IModelsService {
  async inspect(r: InspectModelRequest): Promise<ModelCardDto> {
    return buildModelCard(r.path, r);
  }

  async estimateVram(r: EstimateVramRequest): Promise<VramEstimateDto> {
    const folder = await readModelFolder(r.path);
    const weights = await summariseSafetensors(folder.path);
    return estimateVram(shapeOf(folder, weights.parameters), {
      method: r.method,
      seqLen: r.seqLen ?? 1024,
      batchSize: r.batchSize ?? 1,
      loraRank: r.loraRank ?? 16,
      gradientCheckpointing: r.gradientCheckpointing ?? true,
    });
  }

  async defaultModel(_r: DefaultModelRequest): Promise<ModelCardDto> {
    return buildModelCard(defaultModelPath());
  }
}
