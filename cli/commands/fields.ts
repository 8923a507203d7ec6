// `saker fields [--json|--markdown]`: print the field registry.
import { fieldsAsJson, fieldsAsMarkdown, fieldsAsText } from '../../rules/index.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

export const fieldsCommand: Command = {
  name: 'fields',
  summary: 'fields [--json|--markdown]   list the fields conditions and outputs may use',
  async run(argv, io) {
    const { values } = parse(argv, { json: { type: 'boolean' }, markdown: { type: 'boolean' } }, false);
    if (values.json) io.stdout.write(`${JSON.stringify(fieldsAsJson(), null, 2)}\n`);
    else if (values.markdown) io.stdout.write(fieldsAsMarkdown());
    else io.stdout.write(fieldsAsText());
    return 0;
  },
};
