import { describe, expect, it } from 'vitest';
import { parseStrictJson } from './encoding.js';

describe('strict JSON', () => {
  it.each([
    ['{"a":1,"a":2}', false],
    ['{"a":1,"b":{"a":2}}', true],
    ['{"a\\"":1,"a\\"":2}', false],
    ['{"x":"\\\\","x":1}', false],
    ['{"x":"\\\\\\"","y":1}', true],
    ['{"__proto__":1}', false],
    ['{"constructor":{}}', false],
    ['{"a":["a","a"],"b":"}"}', true],
    ['{"\\u0061":1,"a":2}', false],
    ['{"a":1,}', false],
    ['{"a" : 1, "a"\n:2}', false],
    ['[{"a":1},{"a":2}]', true],
    ['[{"a":1},{"b":2,"b":3}]', false],
    ['{"a":"\\":","b":"x\\\\","c":[":"]}', true],
    ['{"a":{"prototype":1}}', false],
    ['"__proto__"', true],
  ])('%s is accepted: %s', (text, accepted) => {
    expect(parseStrictJson(text) !== undefined).toBe(accepted);
  });

  it('takes deep nesting without running out of stack, and finds a repeat at the bottom', () => {
    const depth = 20_000;
    const deep = (inner: string) => `${'{"a":['.repeat(depth)}${inner}${']}'.repeat(depth)}`;
    expect(parseStrictJson(deep('{"b":1,"c":2}'))).toBeDefined();
    expect(parseStrictJson(deep('{"b":1,"b":2}'))).toBeUndefined();
  });
});
