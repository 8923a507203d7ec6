// SIGHUP reloads the rules files of a running service (`saker run`, `saker evaluator`), as Falco
// reloads on SIGHUP: rules that load judge from the next event on; rules with errors are not
// used, the running rules stay, and each error is logged with its file:line:column.
import type { Logger } from 'pino';
import type { ReloadableEngine, ReloadOutcome } from '../rules/index.js';
import { formatWarning } from '../rules/index.js';

/** Installs the SIGHUP handler; returns its remover. `after` sees each outcome (live sources check event types). */
export function reloadRulesOnSighup(engine: ReloadableEngine, logger: Logger, after?: (outcome: ReloadOutcome) => void): () => void {
  const onHup = (): void => {
    const outcome = engine.reload();
    if (outcome.ok) {
      for (const w of outcome.warnings) logger.warn({ code: w.code }, formatWarning(w));
      logger.info({ ...outcome.counts }, 'rules reloaded (SIGHUP)');
    } else {
      for (const e of outcome.errors) logger.error({ error: e }, 'rules reload failed; the running rules stay');
    }
    after?.(outcome);
  };
  process.on('SIGHUP', onHup);
  return () => void process.off('SIGHUP', onHup);
}
