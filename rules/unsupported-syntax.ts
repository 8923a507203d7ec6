// Condition syntax that libsinsp's newest parser accepts but Saker does not (yet): everything
// beyond the language of /work/shared/spec/rule-language.md. This table is the one place that
// lists it. The parser raises a ConditionSyntaxError with `reason` when it meets one of these
// features; the conformance test uses `pattern` to report which libsinsp cases fall under which
// feature, so nothing from libsinsp's table is dropped silently.

export type UnsupportedFeature = 'operator-modifier' | 'join' | 'concat' | 'getopt' | 'transformer-argument';

export interface UnsupportedSyntax {
  feature: UnsupportedFeature;
  example: string;
  /** Finds the feature in a condition text (an approximation, for reporting; the parser detects it structurally). */
  pattern: RegExp;
  /** The error reason the parser gives. */
  reason: string;
}

const NOT_SUPPORTED = 'is not supported by Saker (newer libsinsp syntax)';

export const UNSUPPORTED_SYNTAX: readonly UnsupportedSyntax[] = [
  {
    feature: 'operator-modifier',
    example: 'proc.name == oneof (cat, nginx)',
    pattern:
      /(?:(?<![<>!=])==?|!=|\b(?:glob|iglob|contains|icontains|bcontains|startswith|bstartswith|endswith|regex))\s+(?:oneof|anyof|allof)\s+(?!(?:and|or|not)(?![A-Za-z0-9]))[(A-Za-z]/,
    reason: `the operator modifiers 'oneof', 'anyof' and 'allof' are not supported by Saker (newer libsinsp syntax); use 'in (...)' or one check per value`,
  },
  {
    feature: 'join',
    example: 'join("-", (fd.name, fd.directory)) = /tmp/test',
    pattern: /\bjoin\(/,
    reason: `the 'join' transformer ${NOT_SUPPORTED}`,
  },
  {
    feature: 'concat',
    example: 'concat(proc.name, fd.name) = x',
    pattern: /\bconcat\(/,
    reason: `the 'concat' transformer ${NOT_SUPPORTED}`,
  },
  {
    feature: 'getopt',
    example: 'getopt(proc.args, "nt:")[t] = value',
    pattern: /\bgetopt\(/,
    reason: `the 'getopt' transformer ${NOT_SUPPORTED}`,
  },
  {
    feature: 'transformer-argument',
    example: 'tolower(proc.aname)[2] = bash',
    pattern: /\b(?:tolower|toupper|b64|basename|len)\([^()]*\)\[/,
    reason: `a '[...]' argument after a transformer ${NOT_SUPPORTED}`,
  },
];

const BY_FEATURE = new Map(UNSUPPORTED_SYNTAX.map((u) => [u.feature, u]));

export function unsupportedSyntax(feature: UnsupportedFeature): UnsupportedSyntax {
  return BY_FEATURE.get(feature)!;
}

/** Transformer names libsinsp knows and Saker does not, mapped to their table entry. */
export function unsupportedTransformer(name: string): UnsupportedSyntax | undefined {
  return name === 'join' || name === 'concat' || name === 'getopt' ? BY_FEATURE.get(name) : undefined;
}

/** The first unsupported feature a condition text appears to use. */
export function findUnsupportedSyntax(text: string): UnsupportedSyntax | undefined {
  return UNSUPPORTED_SYNTAX.find((u) => u.pattern.test(text));
}
