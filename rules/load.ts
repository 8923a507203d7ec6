// Load + prepare in one step, for the engine and `saker rules validate`.
import { LoadContext, type RulesText, loadRules } from './loader.js';
import { type PreparedRule, Preparer } from './prepare.js';

export function loadRulesInto(ctx: LoadContext, texts: readonly RulesText[]): { ctx: LoadContext; prepared: PreparedRule[] } {
  loadRules(ctx, texts);
  const prepared = ctx.errors.length ? [] : new Preparer(ctx.source, ctx).prepareAll();
  return { ctx, prepared };
}
