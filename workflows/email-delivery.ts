// EmailDelivery:<emailId> — sends one e-mail of the outbox, beside the process that wrote it
// . The process records the e-mail and starts this workflow detached: it goes on at once,
// and an SMTP outage delays the mail, never the process, its answers or its deadlines.
import { db, mail } from './activity-options';

export function emailDeliveryWorkflowId(emailId: string): string {
  return `EmailDelivery:${emailId}`;
}

export async function emailDeliveryWorkflow(emailId: string): Promise<void> {
  // Retried until the SMTP server takes it; the outbox row makes a resend a no-op once sent.
  await mail.deliverEmail(emailId);
}

/**
 * Records an e-mail in the outbox (the compose activity returns its business key), then hands its
 * delivery to EmailDelivery:<key> (started by an activity, not as a child: the process neither
 * waits for the delivery nor owns it) and goes on. An e-mail already handed over (the same key
 * composed again by another process) is not sent twice.
 */
export async function sendEmail(recorded: Promise<string>): Promise<void> {
  const emailId = await recorded;
  await db.dispatchEmail(emailId);
}
