// EmailDelivery:<emailId> — sends one e-mail of the outbox, beside the process that wrote it
// . The process records the e-mail and starts this workflow detached: it goes on at once,
// and an SMTP outage delays the mail, never the process, its answers or its deadlines.
import { setCurrentDetails, sleep } from '@temporalio/workflow';
import { db, mail, type ActivityCalls } from './activity-options';
import { currentDetails, shortLocalTime } from './current-details';
import { emailSummary } from './summaries';

export function emailDeliveryWorkflowId(emailId: string): string {
  return `EmailDelivery:${emailId}`;
}

/** How a delivery ended: the mail server took the e-mail, or it was cancelled before it went (ACC-3: its account closed). */
export type EmailOutcome = 'sent' | 'cancelled';

/**
 * `notBefore` (ISO): the e-mail waits until then (POL-5: no e-mail to a business-hours customer
 * outside business hours); the process that wrote it has gone on already.
 */
export async function emailDeliveryWorkflow(emailId: string, notBefore?: string): Promise<EmailOutcome> {
  const title = `E-mail ${emailId}`;
  const waitMs = notBefore ? Date.parse(notBefore) - Date.now() : 0;
  if (waitMs > 0) {
    setCurrentDetails(currentDetails({ title, state: 'held until business hours (POL-5)', deadline: { rule: 'POL-5', what: 'send', word: 'on', at: notBefore! } }));
    await sleep(waitMs, { summary: `POL-5: held until business hours, ${shortLocalTime(notBefore!)}` });
  }
  setCurrentDetails(
    currentDetails({ title, state: 'being sent over SMTP (X-2): retried until the mail server takes it', awaiting: 'the mail server to accept the message' }),
  );
  // Retried until the SMTP server takes it; the outbox row makes a resend a no-op once sent.
  const outcome = await mail('X-2: send the e-mail over SMTP (retried until the server takes it)').deliverEmail(emailId);
  setCurrentDetails(
    currentDetails({ title, state: outcome === 'sent' ? 'sent (X-2): the mail server took it' : 'cancelled (ACC-3): its account was closed before it went; never sent' }),
  );
  return outcome;
}

/** Which e-mail, for staff: the rule that sends it and what it is ("purchase order O-2026-000042"). */
export interface EmailAbout {
  rule: string;
  what: string;
  /** Not sent before this instant (ISO): business hours for a business-hours support tier (POL-5). */
  notBefore?: string;
}

/**
 * Records an e-mail in the outbox (the compose activity returns its business key), then hands its
 * delivery to EmailDelivery:<key> (started by an activity, not as a child: the process neither
 * waits for the delivery nor owns it) and goes on. An e-mail already handed over (the same key
 * composed again by another process) is not sent twice. `about` names the activities and the
 * delivery's summary in the Temporal UI.
 */
export async function sendEmail(about: EmailAbout, compose: (calls: ActivityCalls) => Promise<string>): Promise<void> {
  const emailId = await compose(db(`${about.rule}: record the e-mail: ${about.what}`));
  const delivery = db(`X-9: hand the e-mail to its delivery: ${about.what}`);
  // Without a hold the call is the one recorded in every earlier history (replay: same arguments).
  await (about.notBefore ? delivery.dispatchEmail(emailId, emailSummary(about.what), about.notBefore) : delivery.dispatchEmail(emailId, emailSummary(about.what)));
}
