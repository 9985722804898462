// The embedded SMTP server of the development setup: it accepts every message over real SMTP
// and stores it in MailboxMessage, which the API lists (GET /mailbox). Production uses SMTP_URL.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
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
        .then((mail) =>
          db.mailboxMessage.create({
            data: {
              messageId: mail.messageId ?? '',
              fromAddr: addresses(mail.from),
              toAddrs: addresses(mail.to),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
            },
          }),
        )
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
