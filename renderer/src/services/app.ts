// Renderer-side access to the app domain.
import type { AppInfo } from '../../../preload/contract/index.js';
import { lathe } from '../bridge/lathe-client.js';

export const appService = {
  info: (): Promise<AppInfo> => lathe.app.info({}),
};
export type AppService = typeof appService;
