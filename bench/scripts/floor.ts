// The lifecycle floor alone (src/floor.ts), at a federation shape given on the command line:
// tsx scripts/floor.ts [referrals=3000] [rounds=3] [envelopes per delivery to national nodes=12]
//   [to the liaison office=30] [statuses per referral=4.85] [referrals per filing call=150] [statuses per status call=200]
// Every delivery of two or more envelopes is sealed here. `pnpm bench` measures it at the shape its federation reached.
import { lifecycleFloor } from '../src/floor.js';

const [referrals = 3000, rounds = 3, national = 12, liaison = 30, statuses = 4.85, filing = 150, status = 200] = process.argv
  .slice(2)
  .map(Number);
const deliveries = (size: number) => ({ messages: 1_000_000, deliveries: 1_000_000 / size, sealed: size >= 2 ? 1_000_000 / size : 0 });
const floor = await lifecycleFloor(
  { statusesPerReferral: statuses, national: deliveries(national), liaison: deliveries(liaison), filingBatch: filing, statusBatch: status },
  { referrals, rounds },
);
console.log(JSON.stringify(floor, null, 2));
