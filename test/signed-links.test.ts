// The signed links of e-mails (api/signed-links.ts) and the dates e-mails show
// (domain/time-format.ts), as pure functions: what a token binds, and how a date reads.
import { describe, expect, it } from 'vitest';
import { checkLink, deletionLinkSubject, LINK_PURPOSES, parseDeletionLinkSubject, signLink, windowEnd } from '../api/signed-links';
import { formatDate, formatDateTime, withArticle, zoneLabel } from '../domain/time-format';

const later = new Date(Date.now() + 3_600_000);

describe('signed links', () => {
  it('X-6: a link opens the page of its purpose on its subject, until its expiry, and nothing else', () => {
    for (const purpose of LINK_PURPOSES) {
      const token = signLink(purpose, 'order:ord_a:checkout:sel_acme', later);
      expect(checkLink(purpose, token)).toEqual({ status: 'valid', subject: 'order:ord_a:checkout:sel_acme', expiresAt: new Date(Math.floor(later.getTime() / 1000) * 1000) });
      for (const other of LINK_PURPOSES.filter((p) => p !== purpose)) expect(checkLink(other, token).status).toBe('invalid');
    }
  });

  it('X-6: a changed subject, expiry or signature is invalid; an expired link says so only when genuine', () => {
    const token = signLink('withdrawal', 'ord_a', later);
    const [subject, exp, sig] = token.split('.');
    const otherSubject = `${Buffer.from('ord_b').toString('base64url')}.${exp}.${sig}`;
    const longer = `${subject}.${Number(exp) + 86_400}.${sig}`;
    const flipped = `${subject}.${exp}.${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    for (const t of [otherSubject, longer, flipped, 'x', `${token}.x`, '']) expect(checkLink('withdrawal', t).status, t).toBe('invalid');
    const expired = signLink('withdrawal', 'ord_a', new Date(Date.now() - 1000));
    expect(checkLink('withdrawal', expired).status).toBe('expired');
    // At the instant of expiry the link no longer works.
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    expect(checkLink('withdrawal', signLink('withdrawal', 'ord_a', at), at.getTime()).status).toBe('expired');
    expect(checkLink('withdrawal', signLink('withdrawal', 'ord_a', at), at.getTime() - 1).status).toBe('valid');
  });

  it('SUB-10: a deletion link names its request, and carries no code', () => {
    const subject = deletionLinkSubject('lin_abc_1', 3);
    expect(parseDeletionLinkSubject(subject)).toEqual({ subscriptionId: 'lin_abc_1', request: 3 });
    expect(parseDeletionLinkSubject('lin_abc_1')).toBeNull();
    expect(parseDeletionLinkSubject('ord_x:1')).toBeNull();
    const token = signLink('deletion-confirmation', subject, later);
    expect(Buffer.from(token.split('.')[0], 'base64url').toString()).toBe('lin_abc_1:3');
  });

  it('SUB-5, SUB-6: a window end given is the expiry; none given, seven days', () => {
    expect(windowEnd('2030-01-08T10:00:00.000Z').toISOString()).toBe('2030-01-08T10:00:00.000Z');
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(windowEnd(null, now).toISOString()).toBe('2030-01-08T00:00:00.000Z');
    expect(windowEnd('not a date', now).toISOString()).toBe('2030-01-08T00:00:00.000Z');
  });
});

describe('dates in e-mails', () => {
  it('SUB-7, SUB-11: dates read in Paris time, summer and winter, never as ISO UTC', () => {
    expect(formatDateTime('2026-12-03T14:24:00.000Z', 'Europe/Paris')).toBe('3 December 2026, 15:24 (Paris time)');
    expect(formatDateTime('2026-07-03T14:24:00.000Z', 'Europe/Paris')).toBe('3 July 2026, 16:24 (Paris time)');
    // A due date at 00:30 in Paris is that day, not the UTC day before.
    expect(formatDate('2026-03-14T23:30:00.000Z', 'Europe/Paris')).toBe('15 March 2026');
    expect(formatDateTime(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('1 January 2026, 00:00 (UTC)');
    expect(zoneLabel('America/New_York')).toBe('New York time');
    expect(() => formatDateTime('nope')).toThrow();
  });

  it('SUB-11: an individual customer, a business customer', () => {
    expect(withArticle('individual')).toBe('an individual');
    expect(withArticle('business')).toBe('a business');
  });
});
