// Builds the activities' ports from configuration: the database, SMTP, the sandbox gateway and payouts.
import type { ActivityDeps } from '../activities';
import type { AppConfig } from '../infra/config';
import type { Db } from '../infra/db';
import { createSmtpMailer } from '../infra/mailer';
import { createSandboxGateway } from '../infra/sandbox-gateway';
import { createSandboxPayouts } from '../infra/sandbox-payouts';

export function activityDepsFromConfig(config: AppConfig, db: Db): ActivityDeps {
  return {
    db,
    mailer: createSmtpMailer(config.smtpUrl),
    gateway: createSandboxGateway(db),
    payouts: createSandboxPayouts(db),
    mailFrom: config.mailFrom,
    opsAlertAddress: config.opsAlertAddress,
    publicUrl: config.publicUrl,
    supportContact: config.supportContact,
  };
}
