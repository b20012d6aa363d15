/**
 * Label selectors, as apimachinery's labels package has them: parsing the query-string form
 * (`app=web,tier!=db,env in (prod,staging),!canary`), matching, converting from LabelSelector
 * objects, and printing back (what kubectl describe shows on its Selector line).
 *
 * Parse errors carry Kubernetes' wording, e.g.
 *   unable to parse requirement: found '', expected: ',', ')' or identifier
 */

import type { FieldError } from './field-error.ts';
import * as field from './field-error.ts';
import type { LabelSelector } from './meta.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

/** Operators in their selection.Operator spelling. */
export type Operator = '!' | '=' | '==' | 'in' | '!=' | 'notin' | 'exists' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and free of duplicates, as Kubernetes keeps them. */
  readonly values: readonly string[];
}

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

/** A parsed selector: requirements that must all hold. `nothing` matches no object at all. */
export class Selector {
  private constructor(
    readonly requirements: readonly Requirement[],
    readonly nothing = false,
  ) {}

  static everything(): Selector {
    return new Selector([]);
  }

  /** What a missing (nil) LabelSelector means: select nothing. */
  static nothing(): Selector {
    return new Selector([], true);
  }

  /** of sorts requirements by key, as labels.internalSelector does. */
  static of(requirements: readonly Requirement[]): Selector {
    return new Selector([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }

  /** empty: selects everything. */
  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return !this.nothing && this.requirements.every((r) => requirementMatches(r, labels ?? {}));
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value!)) return false;
      const actual = BigInt(value!);
      const bound = BigInt(r.values[0]!);
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: Requirement): string {
  const values = r.values.join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/**
 * newRequirement checks a requirement as labels.NewRequirement does. Kubernetes reports these
 * problems with an unset field path, which prints as "<nil>" in the message.
 */
export function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(field.invalid('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(field.invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(field.invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(field.invalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(field.invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v)) {
          errs.push(
            field.invalid(
              field.index('values', i),
              v,
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length)
      errs.push(field.invalid(field.key(field.index('values', i), key), v, valueErrs.join('; ')));
  });
  if (errs.length) throw new SelectorError(field.aggregateMessage(errs));
  return { key, operator, values: [...new Set(values)].sort() };
}

// The lexer, after labels.Lexer.

type Token =
  | 'error'
  | 'end'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

const symbols: Record<string, Token> = {
  ')': 'closedPar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  '<': 'lessThan',
  '!=': 'notEquals',
  '(': 'openPar',
};
const keywords: Record<string, Token> = { in: 'in', notin: 'notIn' };
const isSpecial = (ch: string) => '=!(),><'.includes(ch);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

interface Item {
  readonly token: Token;
  readonly literal: string;
}

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos]!)) pos++;
    if (pos >= input.length) {
      items.push({ token: 'end', literal: '' });
      return items;
    }
    const start = pos;
    if (isSpecial(input[pos]!)) {
      // Longest run of special characters that is still a known symbol.
      let best: Item | undefined;
      while (pos < input.length && isSpecial(input[pos]!)) {
        const candidate = input.slice(start, pos + 1);
        if (symbols[candidate] === undefined) break;
        best = { token: symbols[candidate], literal: candidate };
        pos++;
      }
      items.push(
        best ?? { token: 'error', literal: `error expected: keyword found '${input.slice(start, pos + 1)}'` },
      );
      if (!best) return [...items, { token: 'end', literal: '' }];
    } else {
      while (pos < input.length && !isSpecial(input[pos]!) && !isWhitespace(input[pos]!)) pos++;
      const word = input.slice(start, pos);
      items.push({ token: keywords[word] ?? 'identifier', literal: word });
    }
  }
}

// The parser, after labels.Parser: a recursive descent over the token list.

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

class Parser {
  private position = 0;

  constructor(private readonly items: Item[]) {}

  /** In value context the keywords in and notin are ordinary words, so `a in (in)` parses. */
  private lookahead(values: boolean): Item {
    const item = this.items[this.position] ?? { token: 'end', literal: '' };
    return values && (item.token === 'in' || item.token === 'notIn')
      ? { ...item, token: 'identifier' }
      : item;
  }

  private consume(values: boolean): Item {
    const item = this.lookahead(values);
    this.position++;
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const next = this.lookahead(true);
      if (next.token === 'end') return requirements;
      if (next.token !== 'identifier' && next.token !== 'doesNotExist') {
        throw new SelectorError(`found '${next.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof SelectorError)
          throw new SelectorError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const after = this.consume(true);
      if (after.token === 'end') return requirements;
      if (after.token !== 'comma')
        throw new SelectorError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.lookahead(true);
      if (following.token !== 'identifier' && following.token !== 'doesNotExist') {
        throw new SelectorError(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let item = this.consume(true);
    let unary: Operator | undefined;
    if (item.token === 'doesNotExist') {
      unary = '!';
      item = this.consume(true);
    }
    if (item.token !== 'identifier') throw new SelectorError(`found '${item.literal}', expected: identifier`);
    const key = item.literal;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length)
      throw new SelectorError(field.fieldErrorString(field.invalid('<nil>', key, keyErrs.join('; '))));
    const next = this.lookahead(true).token;
    if (next === 'end' || next === 'comma') return newRequirement(key, unary ?? 'exists', []);
    if (unary) return newRequirement(key, unary, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): Operator {
    const item = this.consume(false);
    const operators: Partial<Record<Token, Operator>> = {
      in: 'in',
      equals: '=',
      doubleEquals: '==',
      greaterThan: 'gt',
      lessThan: 'lt',
      notIn: 'notin',
      notEquals: '!=',
    };
    const op = operators[item.token];
    if (!op) throw new SelectorError(`found '${item.literal}', expected: ${binaryOperators.join(', ')}`);
    return op;
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.token !== 'openPar') throw new SelectorError(`found '${open.literal}' expected: '('`);
    const next = this.lookahead(true);
    if (next.token === 'closedPar') {
      this.consume(true);
      return [''];
    }
    if (next.token !== 'identifier' && next.token !== 'comma') {
      throw new SelectorError(`found '${next.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifiersList();
    if (this.consume(true).token !== 'closedPar')
      throw new SelectorError(`found '${next.literal}', expected: ')'`);
    return values;
  }

  /** parseIdentifiersList reads `a,b,c`; empty places (`(,a)`, `(a,)`) stand for the empty string. */
  private parseIdentifiersList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const item = this.consume(true);
      if (item.token === 'identifier') {
        values.add(item.literal);
        const next = this.lookahead(true);
        if (next.token === 'comma') continue;
        if (next.token === 'closedPar') return [...values];
        throw new SelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (item.token !== 'comma')
        throw new SelectorError(`found '${item.literal}', expected: ',', or identifier`);
      if (values.size === 0) values.add('');
      const next = this.lookahead(true);
      if (next.token === 'closedPar') {
        values.add('');
        return [...values];
      }
      if (next.token === 'comma') {
        this.consume(true);
        values.add('');
      }
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true);
    if (next.token === 'end' || next.token === 'comma') return [''];
    const item = this.consume(true);
    if (item.token === 'identifier') return [item.literal];
    throw new SelectorError(`found '${item.literal}', expected: identifier`);
  }
}

/** parseSelector reads a label selector string; the empty string selects everything. Throws SelectorError. */
export function parseSelector(selector: string): Selector {
  return Selector.of(new Parser(lex(selector)).parse());
}

/**
 * selectorFromSet is the selector of exact matches for a label map (labels.SelectorFromSet). Like
 * Kubernetes' it does not validate: the map was validated (or not) as part of its object.
 */
export function selectorFromSet(labels: Readonly<Record<string, string>> | undefined): Selector {
  return Selector.of(
    Object.entries(labels ?? {}).map(([key, value]) => ({ key, operator: '=', values: [value] })),
  );
}

const selectorOperators: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * selectorFromLabelSelector converts a LabelSelector object (metav1.LabelSelectorAsSelector):
 * missing selects nothing, empty selects everything. Throws SelectorError when invalid.
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined): Selector {
  if (!ls) return Selector.nothing();
  const requirements = Object.entries(ls.matchLabels ?? {}).map(([k, v]) => newRequirement(k, '=', [v]));
  for (const expr of ls.matchExpressions ?? []) {
    const op = selectorOperators[expr.operator];
    if (!op)
      throw new SelectorError(`${field.goQuote(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, op, expr.values ?? []));
  }
  return Selector.of(requirements);
}

/**
 * labelSelectorString writes a LabelSelector as its labels.Selector's String(), the syntax
 * `kubectl get -l` accepts, requirements sorted by key and set values sorted:
 *
 *   {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [b, a]}]}
 *     -> "app=web,tier in (a,b)"
 *
 * "" for a missing or empty selector; undefined for one Kubernetes cannot turn into a selector
 * (an unknown operator, values that do not fit it).
 */
export function labelSelectorString(ls: LabelSelector | undefined): string | undefined {
  try {
    return selectorFromLabelSelector(ls).toString();
  } catch (err) {
    if (err instanceof SelectorError) return undefined;
    throw err;
  }
}

/** formatLabelSelector prints a LabelSelector for people: `app=web,tier in (a,b)`, `<none>`, or `<error>`. */
export function formatLabelSelector(ls: LabelSelector | undefined): string {
  const text = labelSelectorString(ls);
  if (text === undefined) return '<error>';
  return text || '<none>';
}

/** formatLabels prints a label map sorted by key: `app=web,tier=db`, or `<none>`. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  return selectorFromSet(labels).toString() || '<none>';
}
