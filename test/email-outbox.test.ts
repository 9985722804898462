// an e-mail is recorded in the outbox before it is sent, and sent by a retried activity:
// an SMTP outage loses nothing, a repeated delivery sends nothing twice. Real SMTP, real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities';
import type { Db } from '../infra/db';
import { createSmtpMailer } from '../infra/mailer';
import { createSandboxGateway } from '../infra/sandbox-gateway';
import { createSandboxPayouts } from '../infra/sandbox-payouts';
import { startSmtpInbox, type SmtpInbox } from '../infra/smtp-inbox';
import { DEMO } from '../prisma/demo-data';
import { freshDatabase } from './support/system';

let db: Db;
let inbox: SmtpInbox;
let deps: ActivityDeps;

beforeAll(async () => {
  ({ db } = await freshDatabase());
  inbox = await startSmtpInbox(db, 0);
  deps = {
    db,
    mailer: createSmtpMailer(`smtp://127.0.0.1:${inbox.port}`),
    gateway: createSandboxGateway(db),
    payouts: createSandboxPayouts(db),
    mailFrom: 'Marketplace <no-reply@marketplace.test>',
    opsAlertAddress: 'ops@marketplace.test',
    publicUrl: 'http://api.test',
    supportContact: 'support@marketplace.test',
  };
  // A paid order of one line, as checkout leaves it.
  const o = DEMO.offers.acmeMail;
  await db.order.create({
    data: {
      id: 'ord_x2', number: 'O-X2', customerId: DEMO.customer.id, status: 'paid', currency: 'EUR',
      totalExclVatCents: 1999, totalVatCents: 400, totalCents: 2399, customerEmail: DEMO.customer.email, cardId: 'card_x', cardLast4: '4242', paidAt: new Date(),
      lines: { create: [{ id: 'lin_x2_1', position: 1, offerId: o.id, sellerId: o.sellerId, name: o.name, priceCents: 1999, currency: 'EUR', vatRateBp: 2000, vatCents: 400, totalCents: 2399, billingPeriod: 'monthly', commitmentMonths: 0, status: 'awaiting_validation' }] },
    },
  });
});

afterAll(async () => {
  await inbox?.close();
  await db?.$disconnect();
});

describe('e-mail outbox', () => {
  it('X-2: recorded before sending, kept through an SMTP outage, sent once when delivery succeeds, never twice', async () => {
    const acts = createActivities(deps);
    const id = await acts.composePurchaseOrderEmail({ orderId: 'ord_x2' });
    expect(await acts.composePurchaseOrderEmail({ orderId: 'ord_x2' })).toBe(id); // recording is idempotent
    expect(await db.email.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'queued', customerId: DEMO.customer.id });

    // SMTP unreachable: the delivery attempt fails (Temporal retries it), the record stays queued.
    const down = createActivities({ ...deps, mailer: createSmtpMailer('smtp://127.0.0.1:1') });
    await expect(down.deliverEmail(id)).rejects.toThrow();
    expect((await db.email.findUniqueOrThrow({ where: { id } })).status).toBe('queued');
    expect(await db.mailboxMessage.count()).toBe(0);

    expect(await acts.deliverEmail(id)).toBe('sent');
    expect(await acts.deliverEmail(id)).toBe('sent'); // a redelivered activity task
    const email = await db.email.findUniqueOrThrow({ where: { id } });
    expect(email.status).toBe('sent');
    const received = await db.mailboxMessage.findMany({ where: { messageId: email.messageId } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ toAddrs: DEMO.customer.email, subject: 'Purchase order O-X2', copies: 1 });
    // Two attempts began (the outage, then the success); the redelivered task began none.
    expect(email.attempts).toBe(2);
  });

  it('X-2: an attempt that dies after the SMTP server accepted the message, before recording it, is resent under the same Message-ID: one copy in the mailbox, two transmissions counted', async () => {
    const acts = createActivities(deps);
    const id = await acts.composeSellerLineToValidateEmail({ lineId: 'lin_x2_1', validationDueAt: new Date().toISOString() });
    // The worker dies right after the server's 250: the message left, the outbox never heard.
    const dying = createActivities({
      ...deps,
      mailer: {
        send: async (mail) => {
          await deps.mailer.send(mail);
          throw new Error('worker killed after the SMTP server accepted the message');
        },
        close() {},
      },
    });
    await expect(dying.deliverEmail(id)).rejects.toThrow('worker killed');
    expect((await db.email.findUniqueOrThrow({ where: { id } })).status).toBe('queued');

    // SMTP cannot tell whether that message was delivered: the retry sends it again, same Message-ID.
    await acts.deliverEmail(id);
    const email = await db.email.findUniqueOrThrow({ where: { id } });
    expect(email).toMatchObject({ status: 'sent', attempts: 2 });
    const received = await db.mailboxMessage.findMany({ where: { messageId: email.messageId } });
    expect(received).toHaveLength(1);
    expect(received[0].copies).toBe(2);
  });
});
