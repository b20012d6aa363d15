/**
 * The syntax of the lab's sh: a small POSIX shell grammar, enough for what pod specs and lessons
 * write, e.g. `i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done`.
 *
 *   list     := and_or ((';' | '&' | newline) and_or)*
 *   and_or   := pipeline (('&&' | '||') pipeline)*
 *   pipeline := ['!'] command ('|' command)*
 *   command  := simple | while | until | for | if | '{' list '}' | '(' list ')'   (each with redirections)
 *
 * Words keep their parts (literal text, $VAR, $(cmd), $((expr))) so the interpreter expands them
 * each time they run, as a loop body needs.
 */

export type WordPart =
  | { readonly kind: 'text'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'param'; readonly name: string; readonly fallback?: Word; readonly quoted: boolean }
  | { readonly kind: 'command'; readonly source: string; readonly quoted: boolean }
  | { readonly kind: 'arith'; readonly expr: string };
export type Word = readonly WordPart[];

export interface Redirect {
  readonly fd: number;
  readonly op: '>' | '>>' | '<' | '>&';
  readonly target: Word;
}

export type Command =
  | {
      readonly kind: 'simple';
      readonly assigns: readonly { name: string; value: Word }[];
      readonly words: readonly Word[];
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly kind: 'loop';
      readonly until: boolean;
      readonly cond: List;
      readonly body: List;
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly kind: 'for';
      readonly name: string;
      readonly items: readonly Word[] | undefined;
      readonly body: List;
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly kind: 'if';
      readonly clauses: readonly { cond: List; body: List }[];
      readonly otherwise: List | undefined;
      readonly redirects: readonly Redirect[];
    }
  | {
      readonly kind: 'group';
      readonly list: List;
      readonly subshell: boolean;
      readonly redirects: readonly Redirect[];
    };

export interface Pipeline {
  readonly negate: boolean;
  readonly commands: readonly Command[];
}
export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { op: '&&' | '||'; pipeline: Pipeline }[];
}
export type List = readonly AndOr[];

type Token =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: 'op'; readonly op: string }
  | { readonly kind: 'redirect'; readonly fd: number; readonly op: Redirect['op'] };

export class ShellSyntaxError extends Error {}

const operators = ['&&', '||', ';;', '|', ';', '&', '(', ')', '\n'];

/** Splits shell source into words, operators and redirections. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let parts: WordPart[] = [];
  let text = '';
  let inWord = false;
  const flushText = (quoted = false) => {
    if (text) parts.push({ kind: 'text', text, quoted });
    text = '';
  };
  const endWord = () => {
    flushText();
    if (inWord) tokens.push({ kind: 'word', word: parts });
    parts = [];
    inWord = false;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '\\') {
      if (source[i + 1] === '\n') i += 2;
      else {
        inWord = true;
        flushText();
        parts.push({ kind: 'text', text: source[i + 1] ?? '', quoted: true });
        i += 2;
      }
    } else if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('unterminated quoted string');
      inWord = true;
      flushText();
      parts.push({ kind: 'text', text: source.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      flushText();
      i = readDoubleQuoted(source, i + 1, parts);
    } else if (c === '$' || c === '`') {
      inWord = true;
      flushText();
      i = readExpansion(source, i, parts, false);
    } else if (c === '>' || c === '<') {
      // A lone digit before the operator is the fd it redirects: 2>/dev/null, 2>&1.
      let fd = c === '>' ? 1 : 0;
      if (inWord && parts.length === 0 && /^[0-9]$/.test(text)) {
        fd = Number(text);
        text = '';
        inWord = false;
      }
      endWord();
      let op: Redirect['op'] = c;
      i++;
      if (c === '>' && source[i] === '>') {
        op = '>>';
        i++;
      } else if (source[i] === '&') {
        op = '>&';
        i++;
      }
      tokens.push({ kind: 'redirect', fd, op });
    } else {
      const op = operators.find((o) => source.startsWith(o, i));
      if (op) {
        endWord();
        tokens.push({ kind: 'op', op });
        i += op.length;
      } else {
        inWord = true;
        text += c;
        i++;
      }
    }
  }
  endWord();
  return tokens;
}

function readDoubleQuoted(source: string, start: number, parts: WordPart[]): number {
  let text = '';
  let i = start;
  // An empty "" still makes a word.
  parts.push({ kind: 'text', text: '', quoted: true });
  while (i < source.length && source[i] !== '"') {
    const c = source[i]!;
    if (c === '\\' && '"\\$`\n'.includes(source[i + 1] ?? '')) {
      text += source[i + 1] === '\n' ? '' : source[i + 1];
      i += 2;
    } else if (c === '$' || c === '`') {
      if (text) parts.push({ kind: 'text', text, quoted: true });
      text = '';
      i = readExpansion(source, i, parts, true);
    } else {
      text += c;
      i++;
    }
  }
  if (i >= source.length) throw new ShellSyntaxError('unterminated quoted string');
  if (text) parts.push({ kind: 'text', text, quoted: true });
  return i + 1;
}

/** Reads $NAME, ${NAME}, ${NAME:-word}, $?, $(cmd), `cmd` or $((expr)) at `start`. */
function readExpansion(source: string, start: number, parts: WordPart[], quoted: boolean): number {
  if (source[start] === '`') {
    const end = source.indexOf('`', start + 1);
    if (end < 0) throw new ShellSyntaxError('unterminated `');
    parts.push({ kind: 'command', source: source.slice(start + 1, end), quoted });
    return end + 1;
  }
  const next = source[start + 1] ?? '';
  if (source.startsWith('$((', start)) {
    const end = matchingParen(source, start + 2);
    parts.push({ kind: 'arith', expr: source.slice(start + 3, end) });
    return end + 2;
  }
  if (next === '(') {
    const end = matchingParen(source, start + 1);
    parts.push({ kind: 'command', source: source.slice(start + 2, end), quoted });
    return end + 1;
  }
  if (next === '{') {
    const end = source.indexOf('}', start);
    if (end < 0) throw new ShellSyntaxError('missing }');
    const body = source.slice(start + 2, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*])(?::?-(.*))?$/s.exec(body);
    if (!m) throw new ShellSyntaxError(`\${${body}}: bad substitution`);
    const fallback = m[2] === undefined ? undefined : wordOf(m[2]);
    parts.push({ kind: 'param', name: m[1]!, quoted, ...(fallback ? { fallback } : {}) });
    return end + 1;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!])/.exec(source.slice(start + 1));
  if (!m) {
    parts.push({ kind: 'text', text: '$', quoted });
    return start + 1;
  }
  parts.push({ kind: 'param', name: m[1]!, quoted });
  return start + 1 + m[1]!.length;
}

function wordOf(source: string): Word {
  const token = tokenize(source.includes(' ') ? `"${source}"` : source)[0];
  return token?.kind === 'word' ? token.word : [];
}

/** The index of the ')' closing the '(' at `open`, skipping quoted text. */
function matchingParen(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === "'") i = source.indexOf("'", i + 1);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
    if (i < 0) break;
  }
  throw new ShellSyntaxError("unexpected EOF: missing ')'");
}

/** Parses shell source into a list of commands. */
export function parse(source: string): List {
  const parser = new Parser(tokenize(source));
  const list = parser.list([]);
  parser.expectEnd();
  return list;
}

const keywords = new Set([
  'while',
  'until',
  'do',
  'done',
  'for',
  'in',
  'if',
  'then',
  'elif',
  'else',
  'fi',
  '{',
  '}',
  '!',
]);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  expectEnd(): void {
    const token = this.tokens[this.pos];
    if (token) throw new ShellSyntaxError(`syntax error: unexpected "${describe(token)}"`);
  }

  /** Commands up to one of the `terminators` keywords (or ')' or the end). */
  list(terminators: readonly string[]): List {
    const items: AndOr[] = [];
    for (;;) {
      this.skipSeparators();
      const token = this.tokens[this.pos];
      if (!token || (token.kind === 'op' && token.op === ')')) break;
      const keyword = this.keyword();
      if (keyword && terminators.includes(keyword)) break;
      items.push(this.andOr());
      const sep = this.tokens[this.pos];
      if (sep?.kind === 'op' && (sep.op === ';' || sep.op === '\n' || sep.op === '&')) this.pos++;
    }
    return items;
  }

  private skipSeparators(): void {
    while (this.peekOp(';') || this.peekOp('\n')) this.pos++;
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      const op = this.peekOp('&&') ? '&&' : this.peekOp('||') ? '||' : undefined;
      if (!op) return { first, rest };
      this.pos++;
      while (this.peekOp('\n')) this.pos++;
      rest.push({ op, pipeline: this.pipeline() });
    }
  }

  private pipeline(): Pipeline {
    const negate = this.keyword() === '!';
    if (negate) this.pos++;
    const commands = [this.command()];
    while (this.peekOp('|')) {
      this.pos++;
      while (this.peekOp('\n')) this.pos++;
      commands.push(this.command());
    }
    return { negate, commands };
  }

  private command(): Command {
    const keyword = this.keyword();
    if (keyword === 'while' || keyword === 'until') {
      this.pos++;
      const cond = this.list(['do']);
      this.expectKeyword('do');
      const body = this.list(['done']);
      this.expectKeyword('done');
      return { kind: 'loop', until: keyword === 'until', cond, body, redirects: this.redirects() };
    }
    if (keyword === 'for') {
      this.pos++;
      const name = this.plainWord();
      this.skipNewlines();
      let items: Word[] | undefined;
      if (this.keyword() === 'in') {
        this.pos++;
        items = [];
        for (let t = this.tokens[this.pos]; t?.kind === 'word'; t = this.tokens[this.pos]) {
          items.push(t.word);
          this.pos++;
        }
      }
      this.skipSeparators();
      this.expectKeyword('do');
      const body = this.list(['done']);
      this.expectKeyword('done');
      return { kind: 'for', name, items, body, redirects: this.redirects() };
    }
    if (keyword === 'if') {
      this.pos++;
      const clauses: { cond: List; body: List }[] = [];
      let otherwise: List | undefined;
      for (;;) {
        const cond = this.list(['then']);
        this.expectKeyword('then');
        clauses.push({ cond, body: this.list(['elif', 'else', 'fi']) });
        const next = this.keyword();
        if (next === 'elif' || next === 'else') this.pos++;
        if (next === 'elif') continue;
        if (next === 'else') otherwise = this.list(['fi']);
        this.expectKeyword('fi');
        break;
      }
      return { kind: 'if', clauses, otherwise, redirects: this.redirects() };
    }
    if (keyword === '{') {
      this.pos++;
      const list = this.list(['}']);
      this.expectKeyword('}');
      return { kind: 'group', list, subshell: false, redirects: this.redirects() };
    }
    if (this.peekOp('(')) {
      this.pos++;
      const list = this.list([]);
      if (!this.peekOp(')')) throw new ShellSyntaxError("syntax error: missing ')'");
      this.pos++;
      return { kind: 'group', list, subshell: true, redirects: this.redirects() };
    }
    return this.simple();
  }

  private simple(): Command {
    const assigns: { name: string; value: Word }[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (let token = this.tokens[this.pos]; token; token = this.tokens[this.pos]) {
      if (token.kind === 'redirect') {
        redirects.push(this.redirect());
      } else if (token.kind === 'word') {
        this.pos++;
        const first = token.word[0];
        const m =
          first?.kind === 'text' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null;
        if (m && words.length === 0 && first?.kind === 'text') {
          const rest = first.text.slice(m[0].length);
          const value: Word = [...(rest ? [{ ...first, text: rest }] : []), ...token.word.slice(1)];
          assigns.push({ name: m[1]!, value });
        } else words.push(token.word);
      } else break;
    }
    if (!assigns.length && !words.length && !redirects.length) {
      const token = this.tokens[this.pos];
      throw new ShellSyntaxError(
        `syntax error: unexpected ${token ? `"${describe(token)}"` : 'end of file'}`,
      );
    }
    return { kind: 'simple', assigns, words, redirects };
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    while (this.tokens[this.pos]?.kind === 'redirect') out.push(this.redirect());
    return out;
  }

  private redirect(): Redirect {
    const token = this.tokens[this.pos++] as Extract<Token, { kind: 'redirect' }>;
    const target = this.tokens[this.pos++];
    if (target?.kind !== 'word') throw new ShellSyntaxError('syntax error: missing redirection target');
    return { fd: token.fd, op: token.op, target: target.word };
  }

  private plainWord(): string {
    const token = this.tokens[this.pos++];
    const part = token?.kind === 'word' ? token.word[0] : undefined;
    if (part?.kind !== 'text') throw new ShellSyntaxError('syntax error: bad for loop variable');
    return part.text;
  }

  private skipNewlines(): void {
    while (this.peekOp('\n')) this.pos++;
  }

  private keyword(): string | undefined {
    const token = this.tokens[this.pos];
    if (token?.kind !== 'word' || token.word.length !== 1) return undefined;
    const part = token.word[0]!;
    return part.kind === 'text' && !part.quoted && keywords.has(part.text) ? part.text : undefined;
  }

  private expectKeyword(keyword: string): void {
    if (this.keyword() !== keyword) {
      const token = this.tokens[this.pos];
      throw new ShellSyntaxError(
        `syntax error: unexpected ${token ? `"${describe(token)}"` : 'end of file'} (expecting "${keyword}")`,
      );
    }
    this.pos++;
  }

  private peekOp(op: string): boolean {
    const token = this.tokens[this.pos];
    return token?.kind === 'op' && token.op === op;
  }
}

function describe(token: Token): string {
  if (token.kind === 'op') return token.op === '\n' ? 'newline' : token.op;
  if (token.kind === 'redirect') return token.op;
  return token.word.map((p) => (p.kind === 'text' ? p.text : '$')).join('');
}
