// The payment gateway port (PAY-1). Every charge, refund and card verification carries an
// idempotency key, with the semantics of a real acquirer's (Stripe's):
// - the first answer for a key (a capture, a refund or a decline) is kept and returned to every
//   later request with that key, so a retried activity or a crashed worker never moves money
//   twice, and a declined key stays declined: a new attempt needs a new key;
// - a key used again with other parameters (card token, amount, currency; the charge refunded;
//   a charge key used for a refund) is refused with GatewayError `idempotency_key_reused`;
// - keys are kept for a limited time (24 hours in the sandbox): after that, a key is new again.
// Refusals (GatewayError) are not answers: nothing is stored for them, no money moved.

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export interface SavedCard {
  token: string;
  last4: string;
  brand: string;
}

export interface ChargeRequest {
  idempotencyKey: string;
  cardToken: string;
  amountCents: number;
  currency: string;
  description: string;
}

export type ChargeResult =
  | { status: 'captured'; reference: string }
  | {
      status: 'declined';
      code: DeclineCode;
      message: string;
      /** Hard declines (lost, stolen, closed card) must not be retried until the card changes. */
      hard: boolean;
    };

export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'stolen_card';

/**
 * A zero-amount check that the card is good (POL-1: an order whose every line is on a free trial
 * saves a card that will be charged later, and captures nothing now). No money moves.
 */
export interface VerifyRequest {
  idempotencyKey: string;
  cardToken: string;
  currency: string;
  description: string;
}

export type VerifyResult = { status: 'verified'; reference: string } | Extract<ChargeResult, { status: 'declined' }>;

export interface RefundRequest {
  idempotencyKey: string;
  chargeReference: string;
  amountCents: number;
  currency: string;
}

export interface RefundResult {
  reference: string;
}

export type GatewayErrorCode =
  /** The key was first used with other parameters (or for the other kind of request). */
  | 'idempotency_key_reused'
  /** The refunds of a charge would exceed what it captured. */
  | 'over_refund'
  /** A refund in another currency than its charge's. */
  | 'currency_mismatch'
  /** A refund of a charge the gateway does not know. */
  | 'unknown_charge'
  /** A malformed request (an amount that is not a positive whole number of cents). */
  | 'invalid_request';

/**
 * A request the gateway refuses. Non-retryable: the same request gets the same refusal, so a
 * caller must not retry it as it stands (an activity would rather fail for good, e.g. as a
 * non-retryable ApplicationFailure, than loop); it is a bug or a conflict to look at. Transient
 * failures (a lost connection) are thrown as ordinary errors and are safe to retry with the same
 * key.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly retryable = false;
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface PaymentGateway {
  /**
   * Validates a card and stores it on the gateway's side; returns a random token and the last
   * four digits: the token carries no card data, and the marketplace never stores card numbers.
   */
  saveCard(card: CardInput): Promise<SavedCard | { error: string }>;
  /** Forgets a saved card (a card the process refused after saving it); unknown tokens are ignored. */
  deleteCard(token: string): Promise<void>;
  /** A capture or a decline; throws GatewayError on a refusal, another error when transient. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** A card verification (no capture): verified, or declined as a charge on that card would be; idempotent by its key. */
  verifyCard(request: VerifyRequest): Promise<VerifyResult>;
  /** Throws GatewayError on a refusal (over-refund, currency, unknown charge, key reused). */
  refund(request: RefundRequest): Promise<RefundResult>;
}
