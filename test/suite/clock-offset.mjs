/**
 * Preload (`node --import`) for a node process on a machine whose clock is off: Date.now runs
 * FIRSTLIGHT_TEST_CLOCK_OFFSET_MS ahead (or behind, when negative). The node reads time only through
 * its injected clock, which is Date.now in a real process, so this is the machine's clock, not a
 * change to the node. It must never be loaded outside the cross-country suite.
 */
const offset = Number(process.env.FIRSTLIGHT_TEST_CLOCK_OFFSET_MS ?? '0');
if (!Number.isFinite(offset)) throw new Error('FIRSTLIGHT_TEST_CLOCK_OFFSET_MS must be a number of milliseconds');
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + offset;
