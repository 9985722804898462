// The mailer port and its nodemailer implementation over SMTP (SMTP_URL).
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** Stable Message-ID built from the e-mail's business key: a resend is recognisable as such. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function createSmtpMailer(smtpUrl: string): Mailer {
  // Pooled: a message goes over an open connection instead of a new TCP connection, greeting,
  // EHLO and QUIT each time. A connection idle for a second is closed (nothing stays open to hold
  // a process or a server's close up for long), and a delivery cut by a closed connection fails
  // instead of being sent again inside the same call (maxRequeues 0): deliverEmail counts every
  // transmission it begins, and its retry is the activity's.
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 5, idleTimeout: 1_000, maxRequeues: 0 });
  return {
    async send(mail) {
      await transport.sendMail({
        messageId: mail.messageId,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.attachments ? { attachments: mail.attachments } : {}),
      });
    },
    close() {
      transport.close();
    },
  };
}
