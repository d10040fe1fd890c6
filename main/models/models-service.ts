// The `models` domain in main: model cards and GPU memory estimates (the engine's plan) for local Hugging Face folders.
// Reads files and runs the engine in plan mode; writes nothing.
import type { DefaultModelRequest, EstimateVramRequest, IModelsService, InspectModelRequest, ModelCardDto, VramEstimateDto } from '../../preload/contract/models.js';
import { defaultModelPath } from './default-model.js';
import { LatheError } from '../../preload/contract/errors.js';
import { planVram } from './engine-plan.js';
import { buildModelCard } from './model-card.js';
import { readModelFolder } from './model-folder.js';

export class ModelsService implements IModelsService {
  async inspect(r: InspectModelRequest): Promise<ModelCardDto> {
    return buildModelCard(r.path, r);
  }

  async estimateVram(r: EstimateVramRequest): Promise<VramEstimateDto> {
    const folder = await readModelFolder(r.path);
    const plan = await planVram(
      { dir: folder.path },
      { method: r.method, seqLen: r.seqLen ?? 1024, batchSize: r.batchSize ?? 1, loraRank: r.loraRank ?? 16, gradientCheckpointing: r.gradientCheckpointing ?? true },
    );
    if (!plan) throw new LatheError('engine_error', 'No GPU memory estimate: it comes from the training engine, which is not built. Build it with: node scripts/build-native.mjs');
    return plan.estimate;
  }

  async defaultModel(_r: DefaultModelRequest): Promise<ModelCardDto> {
    return buildModelCard(defaultModelPath());
  }
}
