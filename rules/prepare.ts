// Preparation: RuleSetSource -> rules ready to compile. For every rule and macro: list
// substitution (every list, in definition order), parsing,
// macro expansion (against the final definitions of all macros, as Falco resolves forward
// references; loops detected), exceptions, then a compile against the Event schema that checks every
// field, operator and value. Unused macros and lists, and rules that match too many event
// types, are warnings.
import type { BoolNode, Position } from './ast.js';
import { CompileError, type Predicate, compileCondition } from './compile.js';
import { ConditionSyntaxError, type SourceLocation } from './errors.js';
import { type EventTypeSet, eventTypesOf, matchesTooManyTypes } from './evttypes.js';
import { withExceptions } from './exceptions.js';
import { eventAccess } from './event-access.js';
import { substituteListsMapped } from './list-substitution.js';
import type { LoadContext } from './loader.js';
import { type OutputTemplate, OutputError, parseOutput } from './output.js';
import { parseCondition } from './parser.js';
import type { ConditionSegment, ItemOrigin, MacroDef, RuleDef, RuleSetSource } from './ruleset.js';
import type { Event } from '../schemas/types.generated.js';

export interface PreparedRule {
  def: RuleDef;
  condition: BoolNode;
  eventTypes: EventTypeSet;
  output: OutputTemplate;
  /** The predicate over Events, compiled while checking the rule. */
  predicate: Predicate<Event>;
}

/** Where the text a node was parsed from came from, to turn node positions into file positions. */
interface TextOrigin { item: ItemOrigin; segments: readonly ConditionSegment[]; toOriginal: (offset: number) => number; shift: number }

export class Preparer {
  /** Lists after one level of expansion, in definition order (the order substitution runs in). */
  private readonly lists = new Map<string, readonly string[]>();
  private readonly usedLists = new Set<string>();
  private readonly usedMacros = new Set<string>();
  private readonly expanded = new Map<string, BoolNode | null>();
  private readonly inProgress = new Set<string>();
  private readonly origins = new WeakMap<Position, TextOrigin>();

  constructor(private readonly source: RuleSetSource, private readonly ctx: LoadContext) {
    // As Falco: an item naming a list whose first definition came before this list's last
    // (re)definition is replaced by that list's own items, one level deep.
    for (const list of source.lists.values()) {
      const items: string[] = [];
      for (const item of list.items) {
        const ref = source.lists.get(item);
        if (ref && ref.index < list.visibility) {
          this.usedLists.add(item);
          items.push(...ref.items);
        } else items.push(item);
      }
      this.lists.set(list.name, items);
    }
  }

  prepareAll(): PreparedRule[] {
    for (const macro of this.source.macros.values()) this.expandMacro(macro);
    const out: PreparedRule[] = [];
    for (const rule of this.source.rules.values()) {
      const prepared = this.prepareRule(rule);
      if (prepared) out.push(prepared);
    }
    for (const macro of this.source.macros.values()) {
      if (!this.usedMacros.has(macro.name)) this.ctx.warn('LOAD_UNUSED_MACRO', 'Macro not referred to by any other rule/macro', macro.origin);
    }
    for (const list of this.source.lists.values()) {
      if (!this.usedLists.has(list.name)) this.ctx.warn('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', list.origin);
    }
    return out;
  }

  /** Substitutes lists, parses, and records where every node came from. Null on a syntax error (reported). */
  private parse(item: ItemOrigin, segments: readonly ConditionSegment[], text: string, shift: number): BoolNode | null {
    // Every list, one after the other in definition order, as Falco does.
    const substituted = substituteListsMapped(text, this.lists);
    for (const name of substituted.used) this.usedLists.add(name);
    const parsed = substituted.text;
    const origin: TextOrigin = { item, segments, toOriginal: (o) => substituted.originalOffset(o), shift };
    try {
      const ast = parseCondition(parsed);
      registerPositions(ast, origin, this.origins);
      return ast;
    } catch (err) {
      if (!(err instanceof ConditionSyntaxError)) throw err;
      this.ctx.error('LOAD_ERR_COMPILE_CONDITION', err.reason, { ...item, ...locate(origin, err.pos.offset) });
      return null;
    }
  }

  private expandMacro(macro: MacroDef): BoolNode | null {
    const cached = this.expanded.get(macro.name);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(macro.name)) {
      this.ctx.error('LOAD_ERR_VALIDATE', `Macro '${macro.name}' refers to itself (a loop through macros)`, macro.origin);
      return null;
    }
    this.inProgress.add(macro.name);
    const text = macro.condition.map((s) => s.text).join(' ');
    const ast = this.parse(macro.origin, macro.condition, text, 0);
    const result = ast && this.expand(ast, macro.origin);
    this.inProgress.delete(macro.name);
    this.expanded.set(macro.name, result);
    return result;
  }

  /** Inlines macro references; reports undefined ones against `item`. */
  private expand(node: BoolNode, item: ItemOrigin): BoolNode | null {
    switch (node.kind) {
      case 'and': case 'or': {
        const children: BoolNode[] = [];
        for (const c of node.children) {
          const e = this.expand(c, item);
          if (!e) return null;
          children.push(e);
        }
        return { ...node, children };
      }
      case 'not': {
        const child = this.expand(node.child, item);
        return child && { ...node, child };
      }
      case 'macro': {
        const macro = this.source.macros.get(node.name);
        if (!macro) {
          this.ctx.error('LOAD_ERR_VALIDATE', `Undefined macro '${node.name}' used in filter.`, { ...item, ...this.locateNode(node.pos) });
          return null;
        }
        this.usedMacros.add(macro.name);
        return this.expandMacro(macro);
      }
      default:
        return node;
    }
  }

  private locateNode(pos: Position): Partial<SourceLocation> {
    const origin = this.origins.get(pos);
    return origin ? locate(origin, pos.offset) : {};
  }

  private prepareRule(rule: RuleDef): PreparedRule | null {
    if (rule.source !== 'syscall') {
      // Falco skips rules of sources it has not loaded (k8s_audit, plugins); so does Saker.
      this.ctx.warn('LOAD_UNKNOWN_SOURCE', `Rule source '${rule.source}' is not supported by Saker; rule skipped`, rule.origin);
      return null;
    }
    const base = rule.condition.map((s) => s.text).join(' ');
    const text = withExceptions(base, rule.exceptions);
    const ast = this.parse(rule.origin, rule.condition, text, text === base ? 0 : 1);
    const condition = ast && this.expand(ast, rule.origin);
    if (!condition) return null;
    let predicate: Predicate<Event>;
    try {
      predicate = compileCondition(condition, eventAccess);
    } catch (err) {
      if (!(err instanceof CompileError)) throw err;
      const where = { ...rule.origin, ...this.locateNode(err.pos) };
      if (err.unknownField && rule.skipIfUnknownFilter) {
        this.ctx.warn('LOAD_UNKNOWN_FIELD', err.message, where);
      } else {
        this.ctx.error('LOAD_ERR_COMPILE_CONDITION', err.message, where);
      }
      return null;
    }
    let output: OutputTemplate;
    try {
      output = parseOutput(rule.output);
    } catch (err) {
      if (!(err instanceof OutputError)) throw err;
      const pos = rule.origin.yaml?.locateInValue(rule.origin.node!, 'output', rule.output, err.offset);
      this.ctx.error('LOAD_ERR_COMPILE_OUTPUT', err.message, { ...rule.origin, ...(pos ? { line: pos.line, column: pos.column } : {}) });
      return null;
    }
    const eventTypes = eventTypesOf(condition);
    if (rule.warnEvttypes && matchesTooManyTypes(eventTypes)) {
      this.ctx.warn('LOAD_NO_EVTTYPE', 'Rule matches too many evt.type values. This has a significant performance penalty.', rule.origin);
    }
    return { def: rule, condition, eventTypes, output, predicate };
  }
}

function registerPositions(node: unknown, origin: TextOrigin, into: WeakMap<Position, TextOrigin>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) registerPositions(n, origin, into);
    return;
  }
  const obj = node as Record<string, unknown>;
  if (obj.pos && typeof obj.pos === 'object') into.set(obj.pos as Position, origin);
  for (const [key, value] of Object.entries(obj)) if (key !== 'pos') registerPositions(value, origin, into);
}

/** Maps an offset in the parsed text (after list substitution and exceptions) to the file. */
function locate(origin: TextOrigin, offset: number): Pick<SourceLocation, 'line' | 'column'> {
  let at = origin.toOriginal(offset) - origin.shift;
  for (const segment of origin.segments) {
    if (at <= segment.text.length) {
      const { yaml, node } = segment.origin;
      const pos = yaml && node ? yaml.locateInValue(node, 'condition', segment.text, Math.max(0, at)) : undefined;
      return pos ? { line: pos.line, column: pos.column } : { line: segment.origin.line, column: segment.origin.column };
    }
    at -= segment.text.length + 1;
  }
  return { line: origin.item.line, column: origin.item.column };
}

