// The condition scanner. libsinsp lexes conditions context-sensitively (whether `a.b` is a
// field or a bare string depends on where the parser is), so this is not a token stream but a
// cursor with one `scan*` method per token class; the parser calls the one its grammar rule
// expects. Each method either consumes a token and returns it, or consumes nothing.
//
// Token classes (libsinsp's, written without regexes; the scanner walks char codes):
//   blank        ' ' \t \b \r \n
//   identifier   [a-zA-Z][a-zA-Z0-9_]*
//   field name   identifier ('.' identifier)+
//   bare string  [^()"'=, \t\n\v\f\r]+
//   field arg    [^][\"' \t\n\v\f\r]+          (the bare form inside `[...]`)
//   hex number   0[xX][0-9a-fA-F]+
//   number       [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?
//   quoted       '...' or "..." ending at the first quote not preceded by a backslash
import type { Position } from './ast.js';
import { ConditionSyntaxError } from './errors.js';

const BLANK = 1;
const SPACE = 2; // POSIX [:space:]: ends bare strings and field arguments
const ALPHA = 4;
const DIGIT = 8;
const BARE_STOP = 16; // ( ) " ' = ,
const ARG_STOP = 32; // [ ] " '
const HEX = 64;

const CLASS = new Uint8Array(128);
for (const c of ' \t\r\n') CLASS[c.charCodeAt(0)]! |= BLANK | SPACE;
CLASS[8] |= BLANK; // \b: a blank for libsinsp, not a [:space:]
for (const c of '\v\f') CLASS[c.charCodeAt(0)]! |= SPACE;
for (let c = 65; c <= 90; c++) CLASS[c] |= ALPHA;
for (let c = 97; c <= 122; c++) CLASS[c] |= ALPHA;
for (let c = 48; c <= 57; c++) CLASS[c] |= DIGIT | HEX;
for (const c of 'abcdefABCDEF') CLASS[c.charCodeAt(0)]! |= HEX;
for (const c of '()"\'=,') CLASS[c.charCodeAt(0)]! |= BARE_STOP;
for (const c of '[]"\'') CLASS[c.charCodeAt(0)]! |= ARG_STOP;

const BACKSLASH = 92;
const DOT = 46;
const UNDERSCORE = 95;

function has(code: number, flags: number): boolean {
  return code < 128 && (CLASS[code]! & flags) !== 0;
}

function isIdentChar(code: number): boolean {
  return has(code, ALPHA | DIGIT) || code === UNDERSCORE;
}

/** A quoted string: `raw` as written (with quotes), `value` unescaped. */
export interface QuotedToken {
  raw: string;
  value: string;
}

export class Scanner {
  /** Current 0-based offset. The parser saves and restores it to backtrack. */
  offset = 0;
  /** The last token consumed, for libsinsp's "unexpected token after '...'" message. */
  lastToken = '';
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  peekCode(delta = 0): number {
    const i = this.offset + delta;
    return i < this.text.length ? this.text.charCodeAt(i) : -1;
  }

  /** Skips blanks; true when there was at least one. */
  skipBlanks(): boolean {
    const start = this.offset;
    while (has(this.peekCode(), BLANK)) this.offset++;
    return this.offset > start;
  }

  /** Consumes `str` when the text continues with it (a plain prefix match, as libsinsp does). */
  match(str: string): boolean {
    if (!this.text.startsWith(str, this.offset)) return false;
    this.offset += str.length;
    this.lastToken = str;
    return true;
  }

  /** True when the text continues with `str` (nothing consumed). */
  lookingAt(str: string, delta = 0): boolean {
    return this.text.startsWith(str, this.offset + delta);
  }

  isBlankAt(delta = 0): boolean {
    return has(this.peekCode(delta), BLANK);
  }

  isAlnumAt(delta = 0): boolean {
    return has(this.peekCode(delta), ALPHA | DIGIT);
  }

  isIdentifierStartAt(delta = 0): boolean {
    return has(this.peekCode(delta), ALPHA);
  }

  /** Length of the identifier starting at offset+delta, 0 if none. */
  identifierLengthAt(delta = 0): number {
    const start = this.offset + delta;
    if (!has(this.peekCode(delta), ALPHA)) return 0;
    let i = start + 1;
    while (i < this.text.length && isIdentChar(this.text.charCodeAt(i))) i++;
    return i - start;
  }

  scanIdentifier(): string | undefined {
    const n = this.identifierLengthAt();
    return n === 0 ? undefined : this.take(n);
  }

  /** `class.name[.more]`; a lone identifier is not a field name. */
  scanFieldName(): string | undefined {
    let n = this.identifierLengthAt();
    if (n === 0) return undefined;
    let segments = 1;
    for (;;) {
      if (this.peekCode(n) !== DOT) break;
      const next = this.identifierLengthAt(n + 1);
      if (next === 0) break;
      n += 1 + next;
      segments++;
    }
    return segments > 1 ? this.take(n) : undefined;
  }

  scanBareString(): string | undefined {
    return this.scanWhile(SPACE | BARE_STOP);
  }

  scanFieldArgBareString(): string | undefined {
    return this.scanWhile(SPACE | ARG_STOP);
  }

  scanHexNumber(): string | undefined {
    if (this.peekCode() !== 48 /* 0 */ || (this.peekCode(1) | 0x20) !== 120 /* x */) return undefined;
    let n = 2;
    while (has(this.peekCode(n), HEX)) n++;
    return n > 2 ? this.take(n) : undefined;
  }

  scanNumber(): string | undefined {
    let n = 0;
    const sign = this.peekCode();
    if (sign === 43 /* + */ || sign === 45 /* - */) n++;
    const digitsStart = n;
    while (has(this.peekCode(n), DIGIT)) n++;
    if (n === digitsStart) return undefined;
    if (this.peekCode(n) === DOT) {
      n++;
      while (has(this.peekCode(n), DIGIT)) n++;
    }
    // The exponent needs an explicit sign, as in libsinsp: `1e5` is the number 1 and a stray `e5`.
    if ((this.peekCode(n) | 0x20) === 101 /* e */) {
      const s = this.peekCode(n + 1);
      if ((s === 43 || s === 45) && has(this.peekCode(n + 2), DIGIT)) {
        n += 2;
        while (has(this.peekCode(n), DIGIT)) n++;
      }
    }
    return this.take(n);
  }

  /**
   * A single- or double-quoted string. Like libsinsp, the string ends at the first closing quote
   * whose previous character is not a backslash (so `'a \\'` does not end at its last quote);
   * rule files written for Falco rely on exactly this. Throws on an unterminated string and on
   * escapes libsinsp rejects.
   */
  scanQuoted(): QuotedToken | undefined {
    const quote = this.peekCode();
    if (quote !== 34 && quote !== 39) return undefined;
    const start = this.offset;
    const text = this.text;
    let i = start + 1;
    let prev = quote;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === quote && prev !== BACKSLASH) break;
      prev = c;
    }
    if (i >= text.length) {
      throw new ConditionSyntaxError('unterminated quoted string', this.positionAt(start), text);
    }
    const value = this.unescape(start + 1, i, quote);
    this.offset = i + 1;
    const raw = text.slice(start, i + 1);
    this.lastToken = raw;
    return { raw, value };
  }

  /** 0-based offset to line/column; `\n`, `\r\n` and a lone `\r` each end a line. */
  positionAt(offset: number): Position {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  position(): Position {
    return this.positionAt(this.offset);
  }

  private take(n: number): string {
    const token = this.text.slice(this.offset, this.offset + n);
    this.offset += n;
    this.lastToken = token;
    return token;
  }

  private scanWhile(stopFlags: number): string | undefined {
    let n = 0;
    while (this.offset + n < this.text.length && !has(this.peekCode(n), stopFlags)) n++;
    return n === 0 ? undefined : this.take(n);
  }

  // Escapes as libsinsp's unescape_str: \b \f \n \r \t \\ \/, the string's own quote, and
  // `\ ` which libsinsp (and so Falco's rules) reads as a lone backslash.
  private unescape(from: number, to: number, quote: number): string {
    const text = this.text;
    const firstEscape = text.indexOf('\\', from);
    if (firstEscape === -1 || firstEscape >= to) return text.slice(from, to);
    let out = '';
    for (let i = from; i < to; i++) {
      const c = text[i]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[++i]!;
      switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case ' ':
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case '"':
        case "'":
          if (e.charCodeAt(0) !== quote) {
            const reason = e === '"' ? `invalid \\" escape in '-quoted string` : `invalid \\' escape in "-quoted string`;
            throw new ConditionSyntaxError(reason, this.positionAt(i - 1), text);
          }
          out += e;
          break;
        default:
          throw new ConditionSyntaxError(`unsupported string escape sequence: \\${e}`, this.positionAt(i - 1), text);
      }
    }
    return out;
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
