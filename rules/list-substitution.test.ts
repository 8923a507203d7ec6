import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { BinaryCheck, BoolNode, LiteralValue } from './ast.js';
import { ConditionSyntaxError } from './errors.js';
import { flattenListItems, quoteListItem, substituteLists, substituteListsMapped } from './list-substitution.js';
import { parseCondition } from './parser.js';

const lists = (entries: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(entries));

function listValues(node: BoolNode): string[] {
  const check = node as BinaryCheck;
  expect(check.kind).toBe('binary');
  if (check.right.kind === 'list') return check.right.items.map((i) => i.text);
  return [(check.right as LiteralValue).text];
}

// Falco 0.10.0's regression rules for list substitution, read from the conformance data.
const TESTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '../shared/conformance/falco-0.10.0-tests');

interface FalcoItem {
  list?: string;
  items?: string[];
  macro?: string;
  rule?: string;
  condition?: string;
}

function falcoRuleFile(name: string): { lists: Map<string, string[]>; conditions: Map<string, string> } {
  const items = load(readFileSync(resolve(TESTS_DIR, 'rules', name), 'utf8')) as FalcoItem[];
  const out = { lists: new Map<string, string[]>(), conditions: new Map<string, string>() };
  for (const item of items) {
    if (item.list !== undefined) out.lists.set(item.list, (item.items ?? []).map(String));
    const key = item.macro ?? item.rule;
    if (key !== undefined && item.condition !== undefined) out.conditions.set(key, item.condition);
  }
  return out;
}

describe('substituteLists: Falco 0.10.0 list_sub_* regression rules', () => {
  const expected: Record<string, { text: string; values: string[] }> = {
    'list_sub_bare.yaml': { text: 'proc.name= cat ', values: ['cat'] },
    'list_sub_front.yaml': { text: 'proc.name in ( cat , ps)', values: ['cat', 'ps'] },
    'list_sub_mid.yaml': { text: 'proc.name in (ls, cat , ps)', values: ['ls', 'cat', 'ps'] },
    'list_sub_end.yaml': { text: 'proc.name in (ls, cat )', values: ['ls', 'cat'] },
  };
  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: the macro is_cat matches cat`, () => {
      const { lists: l, conditions } = falcoRuleFile(file);
      const text = substituteLists(conditions.get('is_cat')!, l);
      expect(text).toBe(want.text);
      expect(listValues(parseCondition(text))).toEqual(want.values);
    });
  }

  it('list_sub_whitespace.yaml: blanks around the name fold to one space', () => {
    const { lists: l, conditions } = falcoRuleFile('list_sub_whitespace.yaml');
    const text = substituteLists(conditions.get('is_cat')!, l);
    expect(text).toBe('proc.name= cat or proc.name=nopey');
    const ast = parseCondition(text);
    expect(ast.kind).toBe('or');
  });

  it('list_substring.yaml: a name inside a longer word is left alone (Falco expects no detection)', () => {
    const { lists: l, conditions } = falcoRuleFile('list_substring.yaml');
    expect(l.get('my_list')).toEqual(['"one string"']);
    const condition = conditions.get('my_rule')!;
    expect(substituteLists(condition, l)).toBe(condition);
    const ast = parseCondition(substituteLists(condition, l));
    expect(ast.kind === 'and' && listValues(ast.children[1]!)).toEqual(['file_my_list']);
  });
});

describe('substituteLists', () => {
  const shells = lists({ shell_binaries: ['bash', 'sh', 'zsh'] });

  it('replaces a name delimited by start/end of text, blanks and ( ) , =', () => {
    expect(substituteLists('shell_binaries', shells)).toBe('bash, sh, zsh ');
    expect(substituteLists('proc.name in (shell_binaries)', shells)).toBe('proc.name in ( bash, sh, zsh )');
    expect(substituteLists('proc.name=shell_binaries', shells)).toBe('proc.name= bash, sh, zsh ');
    expect(substituteLists('proc.name in (ls,shell_binaries,ps)', shells)).toBe('proc.name in (ls, bash, sh, zsh ,ps)');
    expect(substituteLists('proc.name in\t(\nshell_binaries\r\n)', shells)).toBe('proc.name in\t( bash, sh, zsh )');
  });

  it('leaves the name alone inside longer words and dotted names', () => {
    for (const text of ['proc.name in (my_shell_binaries)', 'shell_binaries_2 and a', 'x.shell_binaries exists', 'a.b = shell_binaries.x']) {
      expect(substituteLists(text, shells)).toBe(text);
    }
  });

  it('replaces every occurrence, and the result parses', () => {
    const text = substituteLists('proc.name in (shell_binaries) or proc.pname in (shell_binaries)', shells);
    expect(text).toBe('proc.name in ( bash, sh, zsh ) or proc.pname in ( bash, sh, zsh )');
    const ast = parseCondition(text);
    expect(ast.kind === 'or' && ast.children.map(listValues)).toEqual([
      ['bash', 'sh', 'zsh'],
      ['bash', 'sh', 'zsh'],
    ]);
  });

  it('like Falco, also replaces a delimited name inside a quoted string', () => {
    expect(substituteLists('proc.cmdline = "run shell_binaries now"', shells)).toBe('proc.cmdline = "run bash, sh, zsh now"');
  });

  it('keeps an empty list well formed wherever it sits in parentheses', () => {
    const empty = lists({ none: [] });
    const cases: Array<[string, string[]]> = [
      ['proc.name in (none)', []],
      ['proc.name in (a, none)', ['a']],
      ['proc.name in (none, b)', ['b']],
      ['proc.name in (a, none, b)', ['a', 'b']],
      ['proc.name in (none,none)', []],
    ];
    for (const [condition, values] of cases) {
      const text = substituteLists(condition, empty);
      expect(listValues(parseCondition(text)), `${condition} -> ${text}`).toEqual(values);
    }
    // A bare empty list has nothing to stand for: Falco and Saker both reject the result.
    expect(() => parseCondition(substituteLists('proc.name in none', empty))).toThrow(ConditionSyntaxError);
  });

  it('uses already-quoted items as written and quotes items that are not bare words', () => {
    const l = lists({
      cmds: ['"sh -c uname -s 2>&1"', "'single quoted'", 'two words', "it's", 'a"b', 'x=y', '', 'C:\\my dir\\', 'C:\\dir\\', 'plain'],
    });
    const text = substituteLists('proc.cmdline in (cmds)', l);
    expect(text).toBe(`proc.cmdline in ( "sh -c uname -s 2>&1", 'single quoted', "two words", "it's", "a\\"b", "x=y", "", "C:\\\\my dir\\ ", C:\\dir\\, plain )`);
    expect(listValues(parseCondition(text))).toEqual([
      'sh -c uname -s 2>&1',
      'single quoted',
      'two words',
      "it's",
      'a"b',
      'x=y',
      '',
      'C:\\my dir\\',
      'C:\\dir\\',
      'plain',
    ]);
  });

  it('applies lists in map order, so an item naming a later list is substituted too', () => {
    const l = lists({ outer: ['inner', 'x'], inner: ['a', 'b'] });
    expect(listValues(parseCondition(substituteLists('p.n in (outer)', l)))).toEqual(['a', 'b', 'x']);
    const reversed = lists({ inner: ['a', 'b'], outer: ['inner', 'x'] });
    expect(listValues(parseCondition(substituteLists('p.n in (outer)', reversed)))).toEqual(['inner', 'x']);
  });

  it('does not loop when a list contains its own name', () => {
    expect(substituteLists('p.n in (ls)', lists({ ls: ['ls', 'dir'] }))).toBe('p.n in ( ls, dir )');
  });

  it('returns the text unchanged when no list is named', () => {
    expect(substituteLists('a and b.c = d', shells)).toBe('a and b.c = d');
    expect(substituteLists('a', new Map())).toBe('a');
  });
});

describe('substituteListsMapped', () => {
  it('maps offsets in the substituted text back to the original condition', () => {
    const original = 'proc.name in (shells) and fd.name in (paths) and bad (';
    const m = substituteListsMapped(original, lists({ shells: ['bash', 'sh'], paths: ['/etc', '/usr'] }));
    expect(m.text).toBe('proc.name in ( bash, sh ) and fd.name in ( /etc, /usr ) and bad (');
    expect(m.used).toEqual(['shells', 'paths']);
    // A parse error in the substituted text points at the same character of the original.
    try {
      parseCondition(m.text);
      expect.unreachable();
    } catch (err) {
      const e = err as ConditionSyntaxError;
      expect(original.slice(m.originalOffset(e.pos.offset))).toBe(m.text.slice(e.pos.offset));
    }
    expect(m.originalOffset(m.text.indexOf('fd.name'))).toBe(original.indexOf('fd.name'));
    // Inside a substitution, the offset of the list name.
    expect(m.originalOffset(m.text.indexOf('/usr'))).toBe(original.indexOf('paths'));
    expect(m.originalOffset(m.text.indexOf('sh '))).toBe(original.indexOf('shells'));
  });

  it('maps through several passes', () => {
    const original = 'a.b in (outer) or c';
    const m = substituteListsMapped(original, lists({ outer: ['inner'], inner: ['x', 'y'] }));
    expect(m.text).toBe('a.b in ( x, y ) or c');
    expect(m.used).toEqual(['outer', 'inner']);
    expect(substituteListsMapped('a', lists({ outer: ['x'] }))).toMatchObject({ text: 'a', used: [] });
    expect(m.originalOffset(m.text.indexOf(' or c') + 4)).toBe(original.length - 1);
    expect(m.originalOffset(m.text.indexOf('y'))).toBe(original.indexOf('outer'));
  });
});

describe('quoteListItem', () => {
  it('leaves bare words and quoted items, quotes the rest', () => {
    expect(quoteListItem('/usr/bin/')).toBe('/usr/bin/');
    expect(quoteListItem('runc:[0:PARENT]')).toBe('runc:[0:PARENT]');
    expect(quoteListItem('"(systemd)"')).toBe('"(systemd)"');
    expect(quoteListItem('(systemd)')).toBe('"(systemd)"');
    expect(quoteListItem('a b')).toBe('"a b"');
  });
});

describe('flattenListItems', () => {
  it('replaces items naming earlier lists by their items, transitively', () => {
    const flat = flattenListItems([
      { name: 'a', items: ['1', '2'] },
      { name: 'b', items: ['a', '3'] },
      { name: 'c', items: ['b', 'later', '4'] },
      { name: 'later', items: ['5'] },
    ]);
    expect(flat.get('b')).toEqual(['1', '2', '3']);
    expect(flat.get('c')).toEqual(['1', '2', '3', 'later', '4']);
    expect(flat.get('later')).toEqual(['5']);
  });

  it('takes the last definition of a name', () => {
    const flat = flattenListItems([
      { name: 'a', items: ['1'] },
      { name: 'a', items: ['a', '2'] },
    ]);
    expect(flat.get('a')).toEqual(['a', '2']);
  });
});
