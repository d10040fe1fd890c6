// Renderer-side access to the templates domain (list, the proposal for a model folder with its warnings).
import type { ITemplatesService } from '../../../preload/contract/templates.js';
import { domainOf } from '../bridge/lathe-client.js';

const api = () => domainOf<ITemplatesService>('templates');

export const templatesService = {
  list: () => api().list({}),
  get: (name: string) => api().get({ name }),
  propose: (modelPath: string, template?: string) => api().propose(template ? { modelPath, template } : { modelPath }),
};
export type TemplatesService = typeof templatesService;
