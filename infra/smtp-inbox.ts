// The embedded SMTP server of the development setup: it accepts every message over real SMTP
// and stores it in MailboxMessage, which the API lists (GET /mailbox). Production uses SMTP_URL
// (Mailpit in docker-compose, started with MP_IGNORE_DUPLICATE_IDS to keep one copy the same way).
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Db } from './db';

export interface SmtpInbox {
  port: number;
  close(): Promise<void>;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).join(', ');
}

export async function startSmtpInbox(db: Db, port: number, host = '127.0.0.1'): Promise<SmtpInbox> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          // A message without a Message-ID is its own: it cannot be a copy of another.
          const messageId = mail.messageId ?? `<no-message-id-${randomUUID()}@mailbox.local>`;
          // One copy per Message-ID, as a mail store keeps it; a resend only counts a copy.
          return db.mailboxMessage.upsert({
            where: { messageId },
            create: {
              messageId,
              fromAddr: addresses(mail.from),
              toAddrs: addresses(mail.to),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              // What arrived attached, by name, type, size and hash: enough to prove the bytes.
              ...(mail.attachments.length > 0
                ? { attachments: mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, size: a.size, sha256: createHash('sha256').update(a.content).digest('hex') })) }
                : {}),
            },
            update: { copies: { increment: 1 } },
          });
        })
        .then(() => callback(), (err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
