// Falco's list substitution: list names in a condition are replaced by their items as text,
// before the condition is parsed (the parser never sees list names). As in Falco:
// - a name is replaced only where delimited on both sides by start/end of text, a blank
//   (' ' \t \n \r) or one of `( ) , =`; the blanks around it are folded into one space each side;
// - items are joined with ", "; an item already starting with a quote is used as written (rule
//   files hold items like '"sh -c uname -s 2>&1"');
// - an empty list also drops one neighbouring comma, so `(a, empty)` and `(empty)` stay valid;
// - lists are applied one after another in the map's order (Falco: definition order), so an item
//   naming a later list is substituted by that list's pass.
// One deliberate difference: Falco quotes only items containing a space, without escaping; here
// any item that is not a valid bare word is quoted with escapes, so `it's` or `a"b` stay one value.
import { isBareString, quote } from './format-condition.js';

export interface ListDefinition {
  name: string;
  items: readonly string[];
}

/** The substituted text and a map from its offsets back to the original condition's. */
export interface SubstitutedCondition {
  text: string;
  /** Names of the lists that were substituted, in substitution order (for "unused list" warnings). */
  used: readonly string[];
  /** Offset in the original text of the character at `offset` in `text`; inside substituted items, the list name's start. */
  originalOffset(offset: number): number;
}

/** `lists` values are treated as immutable: their joined text is cached per array. */
export function substituteLists(condition: string, lists: ReadonlyMap<string, readonly string[]>): string {
  let text = condition;
  for (const [name, items] of lists) {
    const pass = substituteOne(text, name, items);
    if (pass) text = pass.text;
  }
  return text;
}

export function substituteListsMapped(condition: string, lists: ReadonlyMap<string, readonly string[]>): SubstitutedCondition {
  let text = condition;
  const passes: Piece[][] = [];
  const used: string[] = [];
  for (const [name, items] of lists) {
    const pass = substituteOne(text, name, items);
    if (!pass) continue;
    text = pass.text;
    passes.push(pass.pieces);
    used.push(name);
  }
  return {
    text,
    used,
    originalOffset(offset: number): number {
      let o = offset;
      for (let i = passes.length - 1; i >= 0; i--) o = mapBack(passes[i]!, o);
      return o;
    },
  };
}

/** An item as it appears in substituted text. */
export function quoteListItem(item: string): string {
  const first = item.charCodeAt(0);
  if (first === 34 || first === 39 || isBareString(item)) return item;
  return quote(item);
}

/**
 * Items of lists that name earlier lists, flattened: an item equal to the name of a list defined
 * before replaces itself with that list's (already flattened) items. A later definition of a
 * name replaces the earlier one.
 */
export function flattenListItems(lists: Iterable<ListDefinition>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const list of lists) {
    const items: string[] = [];
    for (const item of list.items) {
      const earlier = out.get(item);
      if (earlier && item !== list.name) items.push(...earlier);
      else items.push(item);
    }
    out.set(list.name, items);
  }
  return out;
}

// The loader substitutes the same lists into hundreds of conditions; quoting once per list
// instead of once per condition is most of the cost saved.
const joined = new WeakMap<readonly string[], string>();

function joinItems(items: readonly string[]): string {
  let text = joined.get(items);
  if (text === undefined) {
    text = items.map(quoteListItem).join(', ');
    joined.set(items, text);
  }
  return text;
}

/** A stretch of a pass's output: copied from the input (mapped 1:1) or a substitution (mapped to the name). */
interface Piece {
  outStart: number;
  inStart: number;
  copied: boolean;
}

function mapBack(pieces: readonly Piece[], offset: number): number {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[mid]!.outStart <= offset) lo = mid;
    else hi = mid - 1;
  }
  const p = pieces[lo]!;
  return p.copied ? p.inStart + (offset - p.outStart) : p.inStart;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isDelimiter = (c: number): boolean => isBlank(c) || c === 40 || c === 41 || c === 44 || c === 61; // ( ) , =

function substituteOne(text: string, name: string, items: readonly string[]): { text: string; pieces: Piece[] } | undefined {
  if (name.length === 0 || !text.includes(name)) return undefined;
  const sub = joinItems(items);
  let out = '';
  let copyFrom = 0;
  const pieces: Piece[] = [];
  const copy = (to: number): void => {
    if (to > copyFrom) {
      pieces.push({ outStart: out.length, inStart: copyFrom, copied: true });
      out += text.slice(copyFrom, to);
    }
  };
  for (let start = text.indexOf(name); start !== -1; ) {
    const end = start + name.length;
    const delimited =
      (start === 0 || isDelimiter(text.charCodeAt(start - 1))) && (end >= text.length || isDelimiter(text.charCodeAt(end)));
    if (!delimited) {
      start = text.indexOf(name, start + 1);
      continue;
    }
    let from = start;
    let to = end;
    while (from > copyFrom && isBlank(text.charCodeAt(from - 1))) from--;
    while (to < text.length && isBlank(text.charCodeAt(to))) to++;
    if (sub.length === 0) {
      if (from > copyFrom && text.charCodeAt(from - 1) === 44) from--;
      else if (to < text.length && text.charCodeAt(to) === 44) to++;
    }
    copy(from);
    pieces.push({ outStart: out.length, inStart: start, copied: false });
    out += `${from > 0 ? ' ' : ''}${sub} `;
    copyFrom = to;
    start = text.indexOf(name, to);
  }
  if (pieces.length === 0) return undefined;
  copy(text.length);
  return { text: out, pieces };
}
