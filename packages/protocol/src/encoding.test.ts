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
  ])('%s is accepted: %s', (text, accepted) => {
    expect(parseStrictJson(text) !== undefined).toBe(accepted);
  });
});
