// The payout port (PYO-1): a bank transfer to a seller's account, keyed by an idempotency key (the
// payout's id): asked again with the same key, the same answer, and no second transfer. No bank is
// reachable here: the default is the built-in sandbox (infra/sandbox-payouts.ts).

export interface PayoutRequest {
  idempotencyKey: string;
  iban: string;
  /** The account holder's name, as the bank details give it. */
  holder: string;
  amountCents: bigint;
  currency: string;
  /** What the seller's bank statement shows: the payout's id. */
  reference: string;
}

export type PayoutResult = { status: 'paid'; reference: string } | { status: 'rejected'; code: string; message: string };

export interface PayoutGateway {
  transfer(request: PayoutRequest): Promise<PayoutResult>;
}
