// Where Saker knowingly differs from an expectation in Falco's regression suites, and why. Each
// entry's `check` asserts the difference is exactly what it says, so a stale entry fails.
import type { LoadContext } from './loader.js';

export interface KnownDifference {
  reason: string;
  check(ctx: LoadContext): boolean;
}

const noEvttypeWarnings = (ctx: LoadContext): string[] =>
  ctx.warnings.filter((w) => w.code === 'LOAD_NO_EVTTYPE').map((w) => w.location.itemName).sort();

const sameSet = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === [...b].sort()[i]);

/** The rules of falco_rules_warnings.yaml that modern Falco (the 2023 suite) warns about. */
const MODERN_NO_EVTTYPE = ['evttype_not_equals', 'leading_in_not_equals_at_evttype', 'leading_not', 'no_evttype',
  'not_at_end', 'not_equals_and_not', 'not_equals_at_end', 'not_with_evttypes', 'not_with_evttypes_addl'];

export const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {
  'falco-0.10.0-tests/falco_tests.yaml#test_warnings': {
    reason: "Falco 0.10's Lua loader guessed 'matches every event type' with a textual heuristic; Falco since 0.3x " +
      'resolves event-type sets (negation pushed to the leaves) and warns on exactly the rules the 2023 suite lists. ' +
      'Saker follows the modern resolver, so it warns on those 9 rules, not the 0.10 list of 19.',
    check: (ctx) => ctx.errors.length === 0 && sameSet(noEvttypeWarnings(ctx), MODERN_NO_EVTTYPE),
  },
  'falco-0.10.0-tests/falco_tests.yaml#builtin_rules_no_warnings': {
    reason: "As test_warnings: the modern event-type resolver finds that 6 of Falco 0.10's own rules (e.g. 'Disallowed SSH " +
      "Connection': `A or B and C`, where B is not pinned) can match every event type, which the 0.10 heuristic missed.",
    check: (ctx) => ctx.errors.length === 0 && sameSet(noEvttypeWarnings(ctx), [
      'Contact EC2 Instance Metadata Service From Container', 'Contact K8S API Server From Container',
      'Disallowed SSH Connection', 'System procs network activity', 'Unexpected K8s NodePort Connection', 'Unexpected UDP Traffic']),
  },
  'falco-2023-tests/falco_tests.yaml#invalid_yaml_parse_error': {
    reason: "The message comes from the YAML parser: Falco's is yaml-cpp ('illegal map value'), Saker's is js-yaml " +
      "('bad indentation of a mapping entry'). Code, item type and position (line 1, column 11) are the same.",
    check: (ctx) => ctx.errors.length === 1 && ctx.errors[0]!.code === 'LOAD_ERR_YAML_PARSE' &&
      ctx.errors[0]!.location.itemType === 'rules content' && ctx.errors[0]!.location.line === 1 && ctx.errors[0]!.location.column === 11,
  },
  'falco-2023-tests/falco_tests.yaml#syscalls': {
    reason: "Falco warned on 'detect_madvise' because madvise had no dedicated event in its driver's event table " +
      '(only a generic syscall event). Saker captures syscalls by name, so madvise is an ordinary event type: no warning.',
    check: (ctx) => ctx.errors.length === 0 && noEvttypeWarnings(ctx).length === 0,
  },
};
