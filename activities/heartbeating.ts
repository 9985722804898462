// Long activities heartbeat while they run: if their worker dies, the attempt is given to another
// worker once the heartbeat timeout passes, not after the whole start-to-close timeout (the
// crash test saw withdrawals stall two minutes after a worker was killed, and payouts in their
// 2-minute preparation).
import { Context } from '@temporalio/activity';

export async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
