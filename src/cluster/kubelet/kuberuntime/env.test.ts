import { describe, expect, it } from 'vitest';
import { expandVars } from './env.ts';

describe('expandVars', () => {
  const defined = new Map([
    ['HOST', 'db'],
    ['PORT', '5432'],
  ]);

  it('expands earlier variables, keeps unknown references and unescapes $$', () => {
    expect(expandVars('$(HOST):$(PORT)', defined)).toBe('db:5432');
    expect(expandVars('$(MISSING)/x', defined)).toBe('$(MISSING)/x');
    expect(expandVars('$$(HOST) costs $$5', defined)).toBe('$(HOST) costs $5');
  });
});
