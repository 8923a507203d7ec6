// Every `saker` subcommand, in the order `saker --help` lists them.
import type { Command } from '../command.js';
import { evalCommand } from './eval.js';
import { evaluatorCommand } from './evaluator.js';
import { fieldsCommand } from './fields.js';
import { rulesValidateCommand } from './rules-validate.js';

export const COMMANDS: readonly Command[] = [rulesValidateCommand, fieldsCommand, evalCommand, evaluatorCommand];
