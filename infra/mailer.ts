// The mailer port and its nodemailer implementation over SMTP (SMTP_URL).
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  /** Stable Message-ID built from the e-mail's business key: a resend is recognisable as such. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function createSmtpMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({
        messageId: mail.messageId,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
    },
    close() {
      transport.close();
    },
  };
}
