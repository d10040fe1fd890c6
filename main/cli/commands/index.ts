// Every `lathe` subcommand. Add one with ONE line here.
import type { CliCommand } from '../cli-command.js';
import { projectCommand } from './project.js';
import { serveCommand } from './serve.js';
import { modelCommand } from './model.js';
import { previewCommand } from './preview.js';
import { tokenizeCommand } from './tokenize.js';
import { datasetCommand } from './dataset.js';
import { trainCommand } from './train.js';
import { runCommand } from './run.js';
import { chatCommand } from './chat.js';
import { exportCommand } from './export.js';

export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  projectCommand,
  modelCommand,
  previewCommand,
  tokenizeCommand,
  datasetCommand,
  trainCommand,
  runCommand,
  chatCommand,
  exportCommand,
];
