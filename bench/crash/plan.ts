// What happens to each order of the crash test, and the end state the rules then demand.
import { TEST_CARDS } from '../../infra/sandbox-gateway';

export type Scenario =
  /** ORD-6: both sellers accept; each line is active with a running subscription (SUB-1). */
  | 'accept-both'
  /** ORD-6: one accepts, the other refuses: that line is refunded in full, with a credit note. */
  | 'accept-and-refuse'
  /** Nobody answers: both lines still await their sellers (the 48 h have not passed). */
  | 'undecided'
  /** SUB-11: the customer withdraws before the sellers answer: both lines cancelled and refunded. */
  | 'withdraw'
  /** ORD-4: the card is declined: nothing reaches the sellers, nothing is captured. */
  | 'declined'
  /** PAY-1: the first charge attempt fails, the retry captures; then both accepted, and SUB-7 manual mode on one. */
  | 'retried-charge-then-manual';

export const SCENARIOS: Scenario[] = ['accept-both', 'accept-and-refuse', 'undecided', 'withdraw', 'declined', 'retried-charge-then-manual'];

export function cardFor(s: Scenario): string {
  if (s === 'declined') return TEST_CARDS.declined;
  if (s === 'retried-charge-then-manual') return TEST_CARDS.failsOnceThenSucceeds;
  return TEST_CARDS.success;
}

export type LineOutcome = 'active' | 'refused' | 'awaiting_validation' | 'cancelled' | 'payment_failed';

/** The end state of the first and second line of an order. */
export function expectedLines(s: Scenario): [LineOutcome, LineOutcome] {
  switch (s) {
    case 'accept-both':
    case 'retried-charge-then-manual':
      return ['active', 'active'];
    case 'accept-and-refuse':
      return ['active', 'refused'];
    case 'undecided':
      return ['awaiting_validation', 'awaiting_validation'];
    case 'withdraw':
      return ['cancelled', 'cancelled'];
    case 'declined':
      return ['payment_failed', 'payment_failed'];
  }
}

/** Every scenario in turn, then shuffled with the run's seed, so any run covers them all. */
export function planOrders(count: number, random: () => number): Scenario[] {
  const plan = Array.from({ length: count }, (_, i) => SCENARIOS[i % SCENARIOS.length]);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan;
}
