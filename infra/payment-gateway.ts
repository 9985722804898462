// The payment gateway port (PAY-1). Every charge and refund carries an idempotency key: the
// gateway returns the first result for a key it has already captured, so a retried activity or
// a crashed worker never moves money twice.

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

export interface RefundRequest {
  idempotencyKey: string;
  chargeReference: string;
  amountCents: number;
  currency: string;
}

export interface RefundResult {
  reference: string;
}

export interface PaymentGateway {
  /** Validates a card and returns a token: the marketplace never stores card numbers. */
  saveCard(card: CardInput): SavedCard | { error: string };
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}
