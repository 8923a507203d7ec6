// Which event types can a condition match? Rules are indexed by the answer so that an event is
// only judged by the rules that could fire on it. As libsinsp's resolver: `not` is pushed down
// to the leaves (De Morgan: under negation `and` unions and `or` intersects); an `evt.type`
// check gives its set (or the complement when negated / `!=`); any other check gives "all".
import type { BoolNode } from './ast.js';
import { EVENT_TYPES } from './event-types.js';

/** `except: false` -> exactly `types`; `except: true` -> every type but `types`. */
export interface EventTypeSet { except: boolean; types: ReadonlySet<string> }

const ALL: EventTypeSet = { except: true, types: new Set() };

const difference = (a: ReadonlySet<string>, b: ReadonlySet<string>) => new Set([...a].filter((x) => !b.has(x)));
const intersection = (a: ReadonlySet<string>, b: ReadonlySet<string>) => new Set([...a].filter((x) => b.has(x)));
const union = (a: ReadonlySet<string>, b: ReadonlySet<string>) => new Set([...a, ...b]);

export function unionOf(a: EventTypeSet, b: EventTypeSet): EventTypeSet {
  if (!a.except && !b.except) return { except: false, types: union(a.types, b.types) };
  if (a.except && b.except) return { except: true, types: intersection(a.types, b.types) };
  const [pos, neg] = a.except ? [b, a] : [a, b];
  return { except: true, types: difference(neg.types, pos.types) };
}

export function intersectionOf(a: EventTypeSet, b: EventTypeSet): EventTypeSet {
  if (!a.except && !b.except) return { except: false, types: intersection(a.types, b.types) };
  if (a.except && b.except) return { except: true, types: union(a.types, b.types) };
  const [pos, neg] = a.except ? [b, a] : [a, b];
  return { except: false, types: difference(pos.types, neg.types) };
}

export function eventTypesOf(node: BoolNode, negated = false): EventTypeSet {
  switch (node.kind) {
    case 'and': case 'or': {
      const combine = (node.kind === 'and') !== negated ? intersectionOf : unionOf;
      return node.children.map((c) => eventTypesOf(c, negated)).reduce(combine);
    }
    case 'not':
      return eventTypesOf(node.child, !negated);
    case 'binary': {
      if (node.left.kind !== 'field' || node.left.name !== 'evt.type' || node.right.kind === 'fieldValue') return ALL;
      const values = node.right.kind === 'list' ? node.right.items.map((i) => i.text) : [node.right.text];
      const types = new Set(values);
      switch (node.op) {
        case '=': case '==': case 'in': case 'intersects': return { except: negated, types };
        case '!=': return { except: !negated, types };
        default: return ALL;
      }
    }
    default:
      return ALL;
  }
}

/** Falco warns when a rule matches more than this many event types (or none). */
const TOO_MANY = 100;

export function matchesTooManyTypes(set: EventTypeSet): boolean {
  const size = set.except ? [...EVENT_TYPES].filter((t) => !set.types.has(t)).length : set.types.size;
  return size === 0 || size > TOO_MANY;
}

export function describeEventTypes(set: EventTypeSet): string {
  if (!set.except) return [...set.types].sort().join(',');
  return set.types.size === 0 ? 'all' : `all except ${[...set.types].sort().join(',')}`;
}
