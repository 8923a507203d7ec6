import { describe, expect, it } from 'vitest';
import type { BinaryCheck, BinaryOperator, BoolNode, FieldExpr, LiteralValue, Position, ValueExpr } from './ast.js';
import { ConditionSyntaxError } from './errors.js';
import { formatCondition } from './format-condition.js';
import { parseCondition } from './parser.js';
import { unsupportedSyntax } from './unsupported-syntax.js';

/** The tree as canonical text: nested and/or and `not` operands parenthesised. */
const tree = (text: string): string => formatCondition(parseCondition(text));

function syntaxError(text: string, options?: { maxDepth?: number }): ConditionSyntaxError {
  try {
    parseCondition(text, options);
  } catch (err) {
    if (err instanceof ConditionSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

function check(text: string): BinaryCheck {
  const node = parseCondition(text);
  if (node.kind !== 'binary') throw new Error(`not a binary check: ${formatCondition(node)}`);
  return node;
}

function literal(v: ValueExpr): LiteralValue {
  if (v.kind !== 'literal') throw new Error(`not a literal: ${v.kind}`);
  return v;
}

// The position trace libsinsp's parser tests print (node kind, offset, line, column, in visit order).
function trace(node: BoolNode): string {
  const p = (pos: Position): string => `${pos.offset} ${pos.line} ${pos.column}`;
  const field = (f: FieldExpr): string => (f.kind === 'field' ? `field${p(f.pos)}` : `transformer${p(f.pos)}${field(f.arg)}`);
  const value = (v: ValueExpr): string => {
    if (v.kind === 'literal') return `value${p(v.pos)}`;
    if (v.kind === 'list') return `list${p(v.pos)}`;
    return v.field.kind === 'field' ? `transformer${p(v.pos)}${field(v.field)}` : field(v.field);
  };
  switch (node.kind) {
    case 'or':
    case 'and':
      return `${node.kind}${p(node.pos)}${node.children.map(trace).join('')}`;
    case 'not':
      return `not${p(node.pos)}${trace(node.child)}`;
    case 'macro':
      return `identifier${p(node.pos)}`;
    case 'unary':
      return `unary${p(node.pos)}${field(node.left)}`;
    case 'binary':
      return `binary${p(node.pos)}${field(node.left)}${value(node.right)}`;
  }
}

describe('precedence and grouping', () => {
  it('binds not tighter than and, and tighter than or', () => {
    expect(tree('a or b and c')).toBe('a or (b and c)');
    expect(tree('a and b or c and d')).toBe('(a and b) or (c and d)');
    expect(tree('not a and b')).toBe('not (a) and b');
    expect(tree('not a or b')).toBe('not (a) or b');
    expect(tree('not (a or b)')).toBe('not (a or b)');
  });

  it('makes one n-ary node per run of an operator, but keeps explicit groups', () => {
    const node = parseCondition('a and b and c and d');
    expect(node.kind === 'and' && node.children.length).toBe(4);
    expect(tree('a or b or c')).toBe('a or b or c');
    expect(tree('(a and b) and c')).toBe('(a and b) and c');
    expect(tree('a and (b and c)')).toBe('a and (b and c)');
  });

  it('accepts parentheses without blanks around keywords', () => {
    expect(tree('(a)and(b)or(c)')).toBe('(a and b) or c');
    expect(tree('not(a)and(not(b))')).toBe('not (a) and not (b)');
    // libsinsp rejects `a or(b) and c`; the precedence table reads it as written.
    expect(tree('a or(b) and c')).toBe('a or (b and c)');
  });

  it('folds runs of not in pairs, as libsinsp does', () => {
    expect(tree('not not a')).toBe('a');
    expect(tree('not not not a')).toBe('not (a)');
    expect(tree('not not not not not(not not(not not_macro))')).toBe('not (not (not_macro))');
    expect(tree(`${'not '.repeat(100_001)}a`)).toBe('not (a)');
  });

  it('reads identifiers that start with a keyword as macro names', () => {
    expect(tree('notz and a')).toBe('notz and a');
    expect(tree('macro and not_macro')).toBe('macro and not_macro');
    expect(tree('and_macro or or_macro')).toBe('and_macro or or_macro');
  });
});

describe('positions', () => {
  // Expected traces are libsinsp's (test/filter_parser.ut.cpp); ours agree node for node.
  const cases: Array<[string, string]> = [
    ['proc.name exists', 'unary0 1 1field0 1 1'],
    ['proc.name=nginx', 'binary0 1 1field0 1 1value10 1 11'],
    ['proc.aname[3]=nginx', 'binary0 1 1field0 1 1value14 1 15'],
    ['proc.name = nginx', 'binary0 1 1field0 1 1value12 1 13'],
    ['proc.name in ( nginx, apache)', 'binary0 1 1field0 1 1list13 1 14'],
    ['not proc.name=nginx', 'not0 1 1binary4 1 5field4 1 5value14 1 15'],
    ['(proc.name=nginx or proc.name=apache)', 'or1 1 2binary1 1 2field1 1 2value11 1 12binary20 1 21field20 1 21value30 1 31'],
    [
      '(proc.aname[2]=nginx and evt.type in (connect,accept)) or (not fd.name exists) or (proc.name=apache and evt.type=switch)',
      'or0 1 1and1 1 2binary1 1 2field1 1 2value15 1 16binary25 1 26field25 1 26list37 1 38not59 1 60unary63 1 64field63 1 64' +
        'and83 1 84binary83 1 84field83 1 84value93 1 94binary104 1 105field104 1 105value113 1 114',
    ],
    [
      'b64(evt.name) exists and tolower(toupper(evt.type)) in val(some.field) or proc.name=b64(tolower(some.field))',
      'or0 1 1and0 1 1unary0 1 1transformer0 1 1field4 1 5binary25 1 26transformer25 1 26transformer33 1 34field41 1 42' +
        'transformer55 1 56field59 1 60binary74 1 75field74 1 75transformer84 1 85transformer88 1 89field96 1 97',
    ],
  ];
  for (const [text, expected] of cases) {
    it(`trace of ${text}`, () => expect(trace(parseCondition(text))).toBe(expected));
  }

  it('gives lines and columns on multi-line conditions', () => {
    const text = '\n(proc.aname[2]=nginx\n     and evt.type in (connect,accept))\n   or (not fd.name exists)\n   or (proc.name=apache\n       and evt.type=switch)';
    // libsinsp puts the top `or` at offset 0 (the leading newline); here it is its first character.
    expect(trace(parseCondition(text))).toBe(
      'or1 2 1and2 2 2binary2 2 2field2 2 2value16 2 16binary31 3 10field31 3 10list43 3 22not68 4 8unary72 4 12field72 4 12' +
        'and95 5 8binary95 5 8field95 5 8value105 5 18binary123 6 12field123 6 12value132 6 21',
    );
  });

  it('counts \\r\\n and a lone \\r as one line break each', () => {
    expect(trace(parseCondition('a\r\nand\rb.c exists'))).toBe('and0 1 1identifier0 1 1unary7 3 1field7 3 1');
  });

  it('positions errors on the right line and column', () => {
    const err = syntaxError('a.b = 1 and\n  c.d = 2 and\n  (e.f exists');
    expect(err.reason).toBe("expected a ')' token");
    expect([err.pos.line, err.pos.column, err.pos.offset]).toEqual([3, 14, 39]);
    expect(err.message).toBe("expected a ')' token at line 3 column 14");
    expect(err.text).toBe('a.b = 1 and\n  c.d = 2 and\n  (e.f exists');
  });
});

describe('checks', () => {
  const OPERATORS: Array<[BinaryOperator, string]> = [
    ['=', 'x'], ['==', 'x'], ['!=', 'x'], ['<', '1'], ['<=', '1'], ['>', '1'], ['>=', '1'],
    ['contains', 'x'], ['icontains', 'x'], ['bcontains', '48545450'], ['startswith', '/x'], ['bstartswith', '12ab'],
    ['endswith', '.so'], ['glob', '/tmp/*'], ['iglob', '*.LOG'], ['regex', '^a.*b$'],
  ];
  for (const [op, value] of OPERATORS) {
    it(`parses ${op}`, () => {
      for (const text of [`a.b ${op} ${value}`, `a.b ${op}\n${value}`, `a.b${/^[a-z]/.test(op) ? ' ' : ''}${op} ${value}`]) {
        const c = check(text);
        expect([c.op, literal(c.right).text]).toEqual([op, value]);
      }
    });
  }

  for (const op of ['in', 'intersects', 'pmatch'] as const) {
    it(`parses ${op} with a list, an empty list, a field value and a list name`, () => {
      const c = check(`a.b ${op} (x, "y z", 'w')`);
      expect(c.op).toBe(op);
      expect(c.right.kind === 'list' && c.right.items.map((i) => [i.text, i.quoted])).toEqual([
        ['x', false],
        ['y z', true],
        ['w', true],
      ]);
      expect(check(`a.b ${op} ()`).right).toMatchObject({ kind: 'list', items: [] });
      expect(check(`a.b ${op}( )`).right).toMatchObject({ kind: 'list', items: [] });
      expect(check(`a.b ${op} val(c.d)`).right).toMatchObject({ kind: 'fieldValue', field: { kind: 'field', name: 'c.d' } });
      expect(literal(check(`a.b ${op} some_list`).right)).toMatchObject({ text: 'some_list', quoted: false });
    });
  }

  it('parses exists, also directly followed by and/or', () => {
    expect(parseCondition('a.b exists')).toMatchObject({ kind: 'unary', op: 'exists', left: { name: 'a.b' } });
    expect(tree('test.op existsand macro')).toBe('test.op exists and macro');
  });

  it('reads field names and arguments', () => {
    expect(check('evt.arg.flags contains O_WRONLY').left).toEqual({ kind: 'field', name: 'evt.arg.flags', pos: { offset: 0, line: 1, column: 1 } });
    const args: Array<[string, string, string]> = [
      ['proc.aname[2] = bash', 'proc.aname', '2'],
      ['evt.arg[flags] = x', 'evt.arg', 'flags'],
      ['container.mount.dest[/var/run/docker.sock] = x', 'container.mount.dest', '/var/run/docker.sock'],
      ['x.y["a b]"] = x', 'x.y', 'a b]'],
      ["x.y['it\\'s'] = x", 'x.y', "it's"],
      ['k8s.ns.label[app.kubernetes.io/name] = x', 'k8s.ns.label', 'app.kubernetes.io/name'],
    ];
    for (const [text, name, arg] of args) expect(check(text).left).toMatchObject({ kind: 'field', name, arg });
  });

  it('reads bare, quoted and numeric values', () => {
    const values: Array<[string, string, boolean]> = [
      ['proc.name = runc:[0:PARENT]', 'runc:[0:PARENT]', false],
      ['fd.name startswith /etc/', '/etc/', false],
      ['evt.dir = <', '<', false],
      ['evt.dir=>', '>', false],
      ['a.b = not', 'not', false],
      ['fd.name=*.log', '*.log', false],
      ['a.b = a.c', 'a.c', false],
      ["a.b = 'x y'", 'x y', true],
      ['a.b = ""', '', true],
      ['a.b > 0x1F', '0x1F', false],
      ['a.b >= -1.5e+3', '-1.5e+3', false],
      ['a.b < +7', '+7', false],
    ];
    for (const [text, value, quoted] of values) expect(literal(check(text).right)).toMatchObject({ text: value, quoted });
  });
});

describe('transformers and val()', () => {
  it('parses every transformer on the left, nested', () => {
    for (const t of ['tolower', 'toupper', 'b64', 'basename', 'len']) {
      expect(check(`${t}(proc.name) = x`).left).toMatchObject({ kind: 'transformer', name: t, arg: { kind: 'field', name: 'proc.name' } });
    }
    expect(tree('len( basename( tolower(fd.name) ) ) > 3')).toBe('len(basename(tolower(fd.name))) > 3');
    expect(tree('toupper(proc.aname[2]) exists')).toBe('toupper(proc.aname[2]) exists');
  });

  it('parses val() and transformers on the right', () => {
    expect(check('proc.pname = val(proc.name)').right).toMatchObject({ kind: 'fieldValue', field: { kind: 'field', name: 'proc.name' } });
    expect(check('proc.pname = val( proc.aname[1] )').right).toMatchObject({ kind: 'fieldValue', field: { name: 'proc.aname', arg: '1' } });
    expect(check('a.b > len(c.d)').right).toMatchObject({ kind: 'fieldValue', field: { kind: 'transformer', name: 'len' } });
    expect(tree('tolower(a.b) = toupper(b64(c.d))')).toBe('tolower(a.b) = toupper(b64(c.d))');
  });

  it('rejects val() where it has no meaning and unknown functions', () => {
    const cases: Array<[string, string]> = [
      ['val(a.b) exists', "'val(...)' can only be the value of a check, with a field inside"],
      ['a.b = val(tolower(c.d))', "expected a field within 'val' transformer"],
      ['a.b = b64(val(c.d))', "'val(...)' can only be the value of a check, with a field inside"],
      ['a.b = b64(c)', `expected a field or a nested valid transformer: 'tolower', 'toupper', 'b64', 'basename', 'len'`],
      ['foo(a.b) exists', `'foo' is not a transformer: expected one of 'tolower', 'toupper', 'b64', 'basename', 'len'`],
      ['a.b = foo(c.d)', `'foo' is not a transformer: expected one of 'tolower', 'toupper', 'b64', 'basename', 'len'`],
      ['b64(a.b', "expected a ')' token closing the transformer"],
      ['b64 (a.b) exists', "unexpected token after 'b64', expecting 'or', 'and'"],
      ['a.b in (b64(c.d))', "expected a ')' token"],
    ];
    for (const [text, reason] of cases) expect(syntaxError(text).reason, text).toBe(reason);
  });

  it('rejects the syntax listed as unsupported with the table reason', () => {
    expect(syntaxError('join("-", (fd.name, fd.directory)) = x').reason).toBe(unsupportedSyntax('join').reason);
    expect(syntaxError('a.b = tolower(getopt(proc.args, "t:"))').reason).toBe(unsupportedSyntax('getopt').reason);
    expect(syntaxError('concat(a.b, c.d) = x').reason).toBe(unsupportedSyntax('concat').reason);
    expect(syntaxError('tolower(proc.aname)[2] = bash').reason).toBe(unsupportedSyntax('transformer-argument').reason);
    const modifier = syntaxError('proc.name contains anyof (a, b)');
    expect([modifier.reason, modifier.pos.column]).toEqual([unsupportedSyntax('operator-modifier').reason, 20]);
    expect(modifier.reason).toMatch(/not supported/);
    // Without a list after it, the word is a plain value.
    expect(literal(check('proc.name = oneof').right).text).toBe('oneof');
  });
});

describe('quoted strings', () => {
  it('unescapes as libsinsp does', () => {
    const cases: Array<[string, string]> = [
      [String.raw`"a\nb\tc\rd\be\ff"`, 'a\nb\tc\rd\be\ff'],
      [String.raw`"back\\slash and \/slash"`, 'back\\slash and /slash'],
      [String.raw`"say \"hi\""`, 'say "hi"'],
      [String.raw`'it\'s'`, "it's"],
      [`'mixed "'`, 'mixed "'],
      [String.raw`"bad escape \ "`, 'bad escape \\'],
      // A quote after an escaped backslash does not close the string (libsinsp's scanner).
      [String.raw`'multiple escape single quote \' \\''`, "multiple escape single quote ' \\'"],
    ];
    for (const [quoted, value] of cases) expect(literal(check(`a.b = ${quoted}`).right).text, quoted).toBe(value);
  });

  it('rejects bad escapes and unterminated strings with a position', () => {
    const cases: Array<[string, string, number]> = [
      [String.raw`a.b = "x\'"`, String.raw`invalid \' escape in "-quoted string`, 9],
      [String.raw`a.b = 'x\"'`, String.raw`invalid \" escape in '-quoted string`, 9],
      [String.raw`a.b = "\d"`, String.raw`unsupported string escape sequence: \d`, 8],
      [`a.b = "open`, 'unterminated quoted string', 7],
      [`a.b = 'x''`, "unexpected token after ''x'', expecting 'or', 'and'", 10],
    ];
    for (const [text, reason, column] of cases) {
      const err = syntaxError(text);
      expect([err.reason, err.pos.column], text).toEqual([reason, column]);
    }
  });
});

describe('errors', () => {
  const cases: Array<[string, string, number]> = [
    ['', 'filter input string is empty', 1],
    ['   ', "expected a '(' token, a field check, or an identifier", 4],
    ['a andb', "expected blank or '(' after 'and'", 6],
    ['a orb', "expected blank or '(' after 'or'", 5],
    ['a and b and', "expected blank or '(' after 'and'", 12],
    ['a and', "expected blank or '(' after 'and'", 6],
    ['a and ', "expected a '(' token, a field check, or an identifier", 7],
    ['and a', "expected a condition, found the keyword 'and'", 1],
    ['a and not', "expected a condition, found the keyword 'not'", 7],
    ['a not b', "unexpected token after 'a', expecting 'or', 'and'", 3],
    ['(a.b = 1', "expected a ')' token", 9],
    ['a.b = 1)', "unexpected token after '1', expecting 'or', 'and'", 8],
    ['macro > 12', "unexpected token after 'macro', expecting 'or', 'and'", 7],
    ['#a and b', "expected a '(' token, a field check, or an identifier", 1],
    ['evt.arg[] = v', 'expected a valid field argument: a quoted string or a bare string', 9],
    ['evt.arg["x" = v', "expected a ']' token", 12],
    ['a.b', `expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'`, 4],
    ['a.b containsx', 'expected a valid check operator: one of', 5],
    ['a.b > x', "expected a number value or a field with a valid transformer: 'val', 'tolower', 'toupper', 'b64', 'basename', 'len'", 7],
    ['a.b = (x)', "expected a string value or a field with a valid transformer: 'val', 'tolower', 'toupper', 'b64', 'basename', 'len'", 7],
    ['a.b in', "expected a list, an identifier, or a field with a valid transformer: 'val', 'tolower', 'toupper', 'b64', 'basename', 'len'", 7],
    ['a.b in (x,)', 'expected a string value', 11],
    ['a.b in (x', "expected a ')' token", 10],
    ['a.b = x y', "unexpected token after 'x', expecting 'or', 'and'", 9],
  ];
  for (const [text, reason, column] of cases) {
    it(`${JSON.stringify(text)}: ${reason.slice(0, 60)}`, () => {
      const err = syntaxError(text);
      expect(err.reason.startsWith(reason), err.reason).toBe(true);
      expect(err.pos.column).toBe(column);
    });
  }
});

describe('nesting limit', () => {
  const nested = (depth: number): string => `${'('.repeat(depth)}a${')'.repeat(depth)}`;

  it("accepts Falco's 1000 levels and rejects one more", () => {
    expect(tree(nested(1000))).toBe('a');
    const err = syntaxError(nested(1001));
    expect(err.reason).toBe('exceeded max depth limit of 1000');
    expect(err.pos.offset).toBe(1000);
  });

  it('has stack to spare at 1000 levels of the costliest shape', () => {
    const text = `${Array.from({ length: 1000 }, (_, i) => `m${i} or x and not (`).join('')}z${')'.repeat(1000)}`;
    expect(parseCondition(text).kind).toBe('or');
    const transformers = `a.b = ${'tolower('.repeat(999)}c.d${')'.repeat(999)}`;
    expect(parseCondition(transformers).kind).toBe('binary');
  });

  it('counts transformers and not(...) groups too, and honours maxDepth', () => {
    expect(syntaxError('b64(b64(b64(a.b))) exists', { maxDepth: 2 }).reason).toBe('exceeded max depth limit of 2');
    expect(tree('b64(b64(a.b)) exists')).toBe('b64(b64(a.b)) exists');
    expect(syntaxError(`${'not('.repeat(11)}a${')'.repeat(11)}`, { maxDepth: 10 }).reason).toBe('exceeded max depth limit of 10');
  });

  it('turns hostile input into an error, never a crash', () => {
    expect(syntaxError('('.repeat(100_000)).reason).toBe('exceeded max depth limit of 1000');
    // libsinsp's own regression case, with its default limit.
    expect(syntaxError('('.repeat(100_000), { maxDepth: 100 }).reason).toBe('exceeded max depth limit of 100');
    expect(syntaxError(`${'tolower('.repeat(50_000)}a.b) exists`).reason).toBe('exceeded max depth limit of 1000');
    // A limit beyond what the stack holds still ends in a syntax error.
    expect(syntaxError(nested(200_000), { maxDepth: 1_000_000 }).reason).toBe('condition nests too deeply to parse');
  });

  it('parses long flat conditions without deep recursion', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `f.x = v${i}`).join(' or ');
    const node = parseCondition(text);
    expect(node.kind === 'or' && node.children.length).toBe(20_000);
  });

  it('validates maxDepth', () => {
    expect(() => parseCondition('a', { maxDepth: 0 })).toThrow(RangeError);
    expect(() => parseCondition('a', { maxDepth: 1.5 })).toThrow(RangeError);
  });
});
