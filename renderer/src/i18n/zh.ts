// 简体中文: every page's messages combined; must cover every key of en.ts (typed, and a test checks).
import type { MessageKey } from './en.js';
import { appZh } from './messages/app.zh.js';
import { projectsZh } from './messages/projects.zh.js';
import { modelsZh } from './messages/models.zh.js';
import { sharedZh } from './messages/shared.zh.js';
import { importZh } from './messages/import.zh.js';
import { dataZh } from './messages/data.zh.js';
import { playgroundZh } from './messages/playground.zh.js';
import { previewZh } from './messages/preview.zh.js';
import { trainZh } from './messages/train.zh.js';
import { runsZh } from './messages/runs.zh.js';
import { exportZh } from './messages/export.zh.js';
import { errorsZh } from './messages/errors.zh.js';

export const zh: Record<MessageKey, string> = {
  ...appZh,
  ...projectsZh,
  ...modelsZh,
  ...sharedZh,
  ...importZh,
  ...dataZh,
  ...playgroundZh,
  ...previewZh,
  ...trainZh,
  ...runsZh,
  ...exportZh,
  ...errorsZh,
};
