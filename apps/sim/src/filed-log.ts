/**
 * Which referral the simulation filed for which planned case: <data>/filed.jsonl, one line per filing
 * call, appended (a crash loses at most the call in flight). It is how the simulation knows the
 * referrals it owns (a referral a person files is not in it) and how the score finds each one's truth.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const lineSchema = z.array(z.object({ n: z.int().min(0), id: z.string().nullable() }));

export class FiledLog {
  private readonly file: string;
  private readonly byCase = new Map<number, string | null>();
  private readonly byId = new Map<string, number>();

  constructor(root: string) {
    this.file = join(root, 'filed.jsonl');
    if (!existsSync(this.file)) return;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entries: z.infer<typeof lineSchema>;
      try {
        entries = lineSchema.parse(JSON.parse(line));
      } catch {
        continue; // a line cut short by a crash: its cases are filed again
      }
      this.remember(entries);
    }
  }

  private remember(entries: z.infer<typeof lineSchema>) {
    for (const e of entries) {
      this.byCase.set(e.n, e.id);
      if (e.id) this.byId.set(e.id, e.n);
    }
  }

  record(entries: Array<{ n: number; id: string | null }>): void {
    if (entries.length === 0) return;
    appendFileSync(this.file, `${JSON.stringify(entries)}\n`, { mode: 0o600 });
    this.remember(entries);
  }

  has(n: number): boolean {
    return this.byCase.has(n);
  }
  caseOf(id: string): number | undefined {
    return this.byId.get(id);
  }
  /** Cases handled (filed, or refused and left). */
  count(): number {
    return this.byCase.size;
  }
  /** Referral ids the simulation filed. */
  ids(): string[] {
    return [...this.byId.keys()];
  }
}
