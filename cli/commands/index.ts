// Every `saker` subcommand, in the order `saker --help` lists them.
import type { Command } from '../command.js';
import { captureCommand } from './capture.js';
import { collectCommand } from './collect.js';
import { evalCommand } from './eval.js';
import { evaluatorCommand } from './evaluator.js';
import { fieldsCommand } from './fields.js';
import { replayCommand } from './replay.js';
import { rulesValidateCommand } from './rules-validate.js';
import { runCommand } from './run.js';
import { sinksCommand } from './sinks.js';

export const COMMANDS: readonly Command[] = [
  runCommand, rulesValidateCommand, fieldsCommand, evalCommand, replayCommand, captureCommand,
  collectCommand, evaluatorCommand, sinksCommand,
];
