// English strings: every page's messages combined. Add a page's file with ONE line (and its zh twin in zh.ts).
import { appEn } from './messages/app.en.js';
import { projectsEn } from './messages/projects.en.js';
import { modelsEn } from './messages/models.en.js';
import { sharedEn } from './messages/shared.en.js';
import { importEn } from './messages/import.en.js';
import { dataEn } from './messages/data.en.js';
import { playgroundEn } from './messages/playground.en.js';
import { previewEn } from './messages/preview.en.js';
import { trainEn } from './messages/train.en.js';
import { runsEn } from './messages/runs.en.js';
import { exportEn } from './messages/export.en.js';
import { errorsEn } from './messages/errors.en.js';

export const en = {
  ...appEn,
  ...projectsEn,
  ...modelsEn,
  ...sharedEn,
  ...importEn,
  ...dataEn,
  ...playgroundEn,
  ...previewEn,
  ...trainEn,
  ...runsEn,
  ...exportEn,
  ...errorsEn,
} as const;

export type MessageKey = keyof typeof en;
