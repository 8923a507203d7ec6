// `saker rules validate FILE...`: load files in order and report counts, warnings and errors.
import { LoadContext, formatWarning, loadRulesInto, readRulesFiles } from '../../rules/index.js';
import { type Command } from '../command.js';
import { UsageError } from '../args.js';
import { expandRuleFiles } from '../paths.js';

export const rulesValidateCommand: Command = {
  name: 'rules validate',
  summary: 'rules validate FILE...   check rules files (loaded in order); exit 0 when valid',
  async run(argv, io) {
    if (argv.length === 0 || argv.some((a) => a.startsWith('-'))) throw new UsageError('usage: saker rules validate FILE... (or: default)');
    const files = expandRuleFiles(argv);
    let texts;
    try {
      texts = readRulesFiles(files);
    } catch (err) {
      io.stderr.write(`error: ${(err as Error).message}\n`);
      return 1;
    }
    const { ctx, prepared } = loadRulesInto(new LoadContext(), texts);
    for (const w of ctx.warnings) io.stdout.write(`${formatWarning(w)} (${w.code})\n`);
    for (const e of ctx.errors) io.stderr.write(`error: ${e.message} (${e.code})\n`);
    const s = ctx.source;
    io.stdout.write(`${files.length} file(s): ${s.rules.size} rules, ${s.macros.size} macros, ${s.lists.size} lists, ` +
      `${ctx.warnings.length} warning(s), ${ctx.errors.length} error(s)\n`);
    if (ctx.errors.length) return 1;
    io.stdout.write(`valid (${prepared.filter((r) => r.def.enabled).length} rules enabled)\n`);
    return 0;
  },
};
