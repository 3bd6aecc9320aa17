/**
 * The data set's ranges as a step function over keys (IPv4 addresses, or IPv6 upper 64 bits): sorted
 * starts, each with the country (a 1-byte index, 0 for none) of every key from it up to the next start.
 * Built in one sweep over rows sorted by start, holding only the rows still open (a handful): a key
 * belongs to the last row, in file order, whose range holds it, so a more specific range nested in a
 * larger one wins inside itself and the larger one resumes after it. Adjacent steps of one country are
 * one step; a gap between ranges is a step of no country. Keys are (hi, lo) pairs of uint32; IPv4 steps
 * keep lo only.
 */
import { codeOf, codeText, type RowSink } from './data-set.js';

const isLetter = (c: number) => c >= 65 && c <= 90;

/** Country codes as 1-byte indexes, 0 for none; `names[i]` is index i's code. */
export class Countries {
  readonly names: Array<string | null> = [null];
  private readonly index = new Uint8Array(1024);

  /** The index of a country given as codeOf's number, assigned on first sight. */
  of(code: number): number {
    const known = this.index[code] as number;
    if (known > 0) return known;
    const text = codeText(code);
    if (!(isLetter(text.charCodeAt(0)) && isLetter(text.charCodeAt(1))))
      throw new Error(`the routing data set has a row of country "${text}"`);
    if (this.names.length > 255) throw new Error('the routing data set names more than 255 countries');
    this.names.push(text);
    this.index[code] = this.names.length - 1;
    return this.names.length - 1;
  }

  /** The index of a country given as text; 0 for anything not in the data set. */
  find(country: string): number {
    const [a, b] = [country.charCodeAt(0), country.charCodeAt(1)];
    return country.length === 2 && isLetter(a) && isLetter(b) ? (this.index[codeOf(a, b)] as number) : 0;
  }
}

export interface Steps {
  count: number;
  /** Upper 32 bits of each step's first key (null when every key fits in 32 bits). */
  hi: Uint32Array | null;
  lo: Uint32Array;
  country: Uint8Array;
}

const MAX = 0xffffffff;
const before = (aHi: number, aLo: number, bHi: number, bLo: number) => aHi < bHi || (aHi === bHi && aLo < bLo);

export class StepBuilder implements RowSink {
  private n = 0;
  private hi: Uint32Array | null;
  private lo: Uint32Array;
  private country: Uint8Array;
  /** Upper half of the last key of the key space: a row ending there has no key after it. */
  private readonly topHi: number;
  private lastHi = 0;
  private lastLo = 0;
  // Rows whose range is still open at the sweep's position, innermost (latest) last: `open` of them.
  private open = 0;
  private openHi = new Uint32Array(64);
  private openLo = new Uint32Array(64);
  private openCountry = new Uint8Array(64);

  /** `capacity`: the steps expected (the arrays grow past it if need be; finish() copies them to size). */
  constructor(
    private readonly countries: Countries,
    wide: boolean,
    capacity: number,
  ) {
    const size = Math.max(16, capacity);
    this.topHi = wide ? MAX : 0;
    this.hi = wide ? new Uint32Array(size) : null;
    this.lo = new Uint32Array(size);
    this.country = new Uint8Array(size);
    this.step(0, 0, 0);
  }

  /** The next row, [start, end] inclusive, of the country codeOf gave `code` for; rows come sorted by start. */
  add(sHi: number, sLo: number, eHi: number, eLo: number, code: number): void {
    const country = this.countries.of(code);
    if (before(sHi, sLo, this.lastHi, this.lastLo)) throw new Error('the routing data set is not sorted by range start');
    this.lastHi = sHi;
    this.lastLo = sLo;
    this.close(sHi, sLo);
    if (this.open === this.openLo.length) this.growOpen();
    this.openHi[this.open] = eHi;
    this.openLo[this.open] = eLo;
    this.openCountry[this.open] = country;
    this.open++;
    this.step(sHi, sLo, country);
  }

  finish(): Steps {
    this.close(MAX, MAX, true);
    const n = this.n;
    return { count: n, hi: this.hi ? this.hi.slice(0, n) : null, lo: this.lo.slice(0, n), country: this.country.slice(0, n) };
  }

  /** Closes every open row that ends before key (hi, lo) (every one, at the end), stepping to what is open after each. */
  private close(hi: number, lo: number, all = false): void {
    const { openHi, openLo, openCountry } = this;
    while (this.open > 0) {
      const eHi = openHi[this.open - 1] as number;
      const eLo = openLo[this.open - 1] as number;
      if (!all && !before(eHi, eLo, hi, lo)) return;
      // This row ends; so does every row under it that ends no later.
      do this.open--;
      while (this.open > 0 && !before(eHi, eLo, openHi[this.open - 1] as number, openLo[this.open - 1] as number));
      if (eHi === this.topHi && eLo === MAX) return;
      const nextLo = (eLo + 1) >>> 0;
      this.step(nextLo === 0 ? eHi + 1 : eHi, nextLo, this.open > 0 ? (openCountry[this.open - 1] as number) : 0);
    }
  }

  private step(hi: number, lo: number, country: number): void {
    let n = this.n;
    // A step at the key of the last one replaces it (a row starting where another ends, or several at one start).
    if (n > 0 && this.lo[n - 1] === lo && (this.hi === null || this.hi[n - 1] === hi)) n--;
    if (n > 0 && this.country[n - 1] === country) {
      this.n = n;
      return;
    }
    if (n === this.lo.length) this.grow();
    if (this.hi) this.hi[n] = hi;
    this.lo[n] = lo;
    this.country[n] = country;
    this.n = n + 1;
  }

  private growOpen(): void {
    const size = this.openLo.length * 2;
    const [hi, lo, country] = [new Uint32Array(size), new Uint32Array(size), new Uint8Array(size)];
    hi.set(this.openHi);
    lo.set(this.openLo);
    country.set(this.openCountry);
    [this.openHi, this.openLo, this.openCountry] = [hi, lo, country];
  }

  private grow(): void {
    const size = Math.ceil(this.lo.length * 1.5);
    const lo = new Uint32Array(size);
    lo.set(this.lo);
    this.lo = lo;
    const country = new Uint8Array(size);
    country.set(this.country);
    this.country = country;
    if (this.hi) {
      const hi = new Uint32Array(size);
      hi.set(this.hi);
      this.hi = hi;
    }
  }
}
