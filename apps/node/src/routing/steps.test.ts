import { describe, expect, it } from 'vitest';
import { codeOf } from './data-set.js';
import { Countries, StepBuilder, type Steps } from './steps.js';

const letters = (country: string) => codeOf(country.charCodeAt(0), country.charCodeAt(1));

/** Rows [start, end, country] over 32-bit keys, as steps [first key, country or null]. */
const stepsOf = (rows: Array<[number, number, string]>): Array<[number, string | null]> => {
  const countries = new Countries();
  const builder = new StepBuilder(countries, false, 1);
  for (const [start, end, country] of rows) builder.add(0, start, 0, end, letters(country));
  const steps: Steps = builder.finish();
  return Array.from({ length: steps.count }, (_, i) => [steps.lo[i] as number, countries.names[steps.country[i] as number] ?? null]);
};

describe('routing steps', () => {
  it('makes a gap between ranges a step of no country, and adjacent ranges of one country one step', () => {
    expect(
      stepsOf([
        [10, 19, 'AA'],
        [20, 29, 'AA'],
        [40, 49, 'BB'],
      ]),
    ).toEqual([
      [0, null],
      [10, 'AA'],
      [30, null],
      [40, 'BB'],
      [50, null],
    ]);
  });

  it('answers a nested range inside itself and the range around it after it, however deep', () => {
    expect(
      stepsOf([
        [0, 100, 'AA'],
        [10, 50, 'BB'],
        [20, 30, 'CC'],
        [40, 40, 'AA'],
      ]),
    ).toEqual([
      [0, 'AA'],
      [10, 'BB'],
      [20, 'CC'],
      [31, 'BB'],
      [40, 'AA'],
      [41, 'BB'],
      [51, 'AA'],
      [101, null],
    ]);
  });

  it('gives a key the last row holding it when rows share a start or overlap without nesting', () => {
    expect(
      stepsOf([
        [10, 30, 'AA'],
        [10, 20, 'BB'],
        [25, 40, 'CC'],
      ]),
    ).toEqual([
      [0, null],
      [10, 'BB'],
      [21, 'AA'],
      [25, 'CC'],
      [41, null],
    ]);
  });

  it('ends at the top of the key space without a step past it', () => {
    expect(stepsOf([[0, 0xffffffff, 'DD']])).toEqual([[0, 'DD']]);
  });

  it('carries a key after an end into the upper 32 bits', () => {
    const builder = new StepBuilder(new Countries(), true, 1);
    builder.add(1, 0xfffffff0, 1, 0xffffffff, letters('GG'));
    const steps = builder.finish();
    expect([Array.from(steps.hi ?? []), Array.from(steps.lo), Array.from(steps.country)]).toEqual([
      [0, 1, 2],
      [0, 0xfffffff0, 0],
      [0, 1, 0],
    ]);
  });

  it('refuses rows that are not sorted by start', () => {
    const builder = new StepBuilder(new Countries(), false, 1);
    builder.add(0, 20, 0, 30, letters('AA'));
    expect(() => builder.add(0, 10, 0, 15, letters('BB'))).toThrow(/not sorted/);
  });

  it('knows a country by its two capital letters only, and refuses a row of anything else', () => {
    const countries = new Countries();
    const builder = new StepBuilder(countries, false, 1);
    builder.add(0, 10, 0, 20, letters('EE'));
    expect([countries.find('EE'), countries.find('ee'), countries.find('de'), countries.find('E'), countries.find('XX')]).toEqual([
      1, 0, 0, 0, 0,
    ]);
    expect(() => builder.add(0, 30, 0, 40, letters('de'))).toThrow(/country "/);
  });
});
