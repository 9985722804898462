// Routes of calls for tenders (TND-1). A signed-in customer or a visitor posts a call; a visitor
// (or a customer naming another address) proves the contact e-mail with the code it was e-mailed.
// Approved partners choose their categories, list the open calls of those (excerpts only), read
// one in full with its contact details (each read recorded) and send proposals. The customer
// withdraws its call through the API, or anyone holding the e-mailed link through its page. Every
// read and proposal is checked against the call's row under its lock at that moment: once the
// withdrawal's or the close's transaction has committed, none passes.
import { randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateStage } from '@temporalio/client';
import type { Partner, Tender } from '@prisma/client';
import { writeAudit } from '../../activities/audit';
import { tenderCodeHash } from '../../activities/tenders';
import { formatMoney } from '../../domain/money';
import { OFFER_CURRENCIES } from '../../domain/offer';
import { isTenderOpenAt, TENDER_CATEGORIES, TENDER_CODE_ATTEMPTS, TENDER_CODE_LENGTH, TENDER_STATUSES, tenderCodeId, tenderVerifyBy, type TenderStatus } from '../../domain/tender';
import { formatDateTime } from '../../domain/time-format';
import { BusinessStatusKey } from '../../workflows/search-attributes';
import { emailVerifiedUpdate, proposalReceivedSignal, tenderStartedUpdate, tenderSummary, tenderWorkflow, tenderWorkflowId, withdrawTenderUpdate } from '../../workflows/tender';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import * as pages from '../link-pages';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { approvedPartnerOf } from '../partner-principal';
import { Problem } from '../problem';
import { pendingCommand } from '../response-schemas';
import type { RouteTable } from '../route';
import { LINK_TOKEN_PATTERN } from '../signed-links';
import { pendingAnswer, runUpdate, type UpdateOutcome } from '../temporal-errors';
import { z } from '../zod';
import { page, subjectOf } from './links';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const category = z.enum(TENDER_CATEGORIES, { error: `must be one of: ${TENDER_CATEGORIES.join(', ')}` });
const tenderParams = z.object({ tenderId: z.string().regex(/^tnd_[0-9a-f]{32}$/, 'must be a tnd_… id') });
const tokenParams = z.object({ token: z.string().max(600).regex(LINK_TOKEN_PATTERN, 'the token of an e-mailed link, copied whole') });
const iso = z.string();
const partner = allow.customer;
const visitorOrCustomer = (p: Principal) => p.kind === 'anonymous' || p.kind === 'customer';

const postBody = z.strictObject({
  category,
  title: text(200),
  excerpt: text(1_000).describe('What opted-in partners receive by e-mail: put no contact details in it'),
  description: text(10_000).describe('What a partner reads in full, with the contact details'),
  contact: z
    .strictObject({
      name: text(200).optional(),
      email: z.email().max(254).optional(),
      phone: z.string().trim().regex(/^\+?[0-9 ().-]{6,40}$/, 'a phone number: digits, spaces, + ( ) . -').optional(),
    })
    .optional()
    .describe("Required for a visitor (name and e-mail); a customer's default to its account. An e-mail other than the account's is verified first"),
});
const codeBody = z.strictObject({ code: z.string().trim().length(TENDER_CODE_LENGTH, `the ${TENDER_CODE_LENGTH}-character code of the e-mail`) });
const categoriesBody = z.strictObject({
  categories: z.array(category).max(TENDER_CATEGORIES.length).refine((c) => new Set(c).size === c.length, 'each category once').describe('Every category the partner receives calls of, replacing the previous list; empty: none'),
});
const proposalBody = z
  .strictObject({
    message: text(5_000),
    priceCents: z.number({ error: 'the price in cents' }).int('a whole number of cents').min(1, 'at least 1 cent').max(2_147_483_647, 'at most 2147483647 cents').optional(),
    currency: z.enum(OFFER_CURRENCIES, { error: `must be one of: ${OFFER_CURRENCIES.join(', ')}` }).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.priceCents !== undefined && !b.currency) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'required with priceCents' });
    if (b.priceCents === undefined && b.currency) ctx.addIssue({ code: 'custom', path: ['priceCents'], message: 'required with currency' });
  });

const contactView = z.strictObject({ name: z.string(), email: z.string(), phone: z.string().nullable() });
const proposalView = z
  .strictObject({ proposalId: z.string(), tenderId: z.string(), partnerId: z.string(), companyName: z.string(), message: z.string(), priceCents: z.number().int().nullable(), currency: z.string().nullable(), createdAt: iso })
  .openapi('TenderProposal');
const tenderView = z
  .strictObject({
    tenderId: z.string(),
    status: z.enum(TENDER_STATUSES),
    category: z.string(),
    title: z.string(),
    excerpt: z.string(),
    description: z.string(),
    contact: contactView,
    createdAt: iso,
    verifyBy: iso.nullable().describe('TND-1: unverified by then, the call is dropped (48 hours)'),
    openedAt: iso.nullable(),
    closesAt: iso.nullable().describe('TND-1: the call closes by itself 30 Paris days after it opened'),
    endedAt: iso.nullable(),
    proposals: z.array(proposalView),
  })
  .openapi('Tender');
const partnerItem = z.strictObject({ tenderId: z.string(), category: z.string(), title: z.string(), excerpt: z.string(), openedAt: iso, closesAt: iso }).openapi('TenderExcerpt');
const partnerFull = z.strictObject({ ...partnerItem.shape, description: z.string(), contact: contactView }).openapi('TenderForPartner');
const partnerPage = pageOf(partnerItem).openapi('TenderExcerptPage');

/** TND-1: what refuses a partner's read or proposal, or a withdrawal: the state the call is in. */
function notOpen(t: Tender): Problem {
  const when = t.endedAt ? ` on ${formatDateTime(t.endedAt)}` : t.closesAt ? ` on ${formatDateTime(t.closesAt)}` : '';
  const state = t.status === 'open' ? 'closed' : t.status;
  const reason = { withdrawn: 'TenderWithdrawn', closed: 'TenderClosed', awaiting_verification: 'TenderNotOpen', open: 'TenderClosed' }[state as TenderStatus];
  return Problem.conflict(`the call for tenders ${t.id} is ${state.replace(/_/g, ' ')}${when}: no more reads or proposals (TND-1)`, { reason, state });
}

export function registerTenderRoutes(routes: RouteTable, deps: ApiDeps): void {
  const handle = (id: string) => deps.temporal.workflow.getHandle(tenderWorkflowId(id));
  const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;

  async function viewOf(t: Tender): Promise<z.infer<typeof tenderView>> {
    const proposals = await deps.db.tenderProposal.findMany({ where: { tenderId: t.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const partners = await deps.db.partner.findMany({ where: { id: { in: [...new Set(proposals.map((p) => p.partnerId))] } } });
    const names = new Map(partners.map((p) => [p.id, p.companyName]));
    return {
      tenderId: t.id, status: t.status as TenderStatus, category: t.category, title: t.title, excerpt: t.excerpt, description: t.description,
      contact: { name: t.contactName, email: t.contactEmail, phone: t.contactPhone }, createdAt: t.createdAt.toISOString(),
      verifyBy: t.status === 'awaiting_verification' ? tenderVerifyBy(t.createdAt.toISOString()) : null,
      openedAt: t.openedAt?.toISOString() ?? null, closesAt: t.closesAt?.toISOString() ?? null, endedAt: t.endedAt?.toISOString() ?? null,
      proposals: proposals.map((p) => ({ proposalId: p.id, tenderId: p.tenderId, partnerId: p.partnerId, companyName: names.get(p.partnerId) ?? p.partnerId, message: p.message, priceCents: p.priceCents, currency: p.currency, createdAt: p.createdAt.toISOString() })),
    };
  }
  const reload = async (id: string) => viewOf(await deps.db.tender.findUniqueOrThrow({ where: { id } }));

  /** X-6: a customer's own call; another's is none of its business. */
  async function ownTender(id: string, p: Principal): Promise<Tender> {
    const t = await deps.db.tender.findUnique({ where: { id } });
    if (!t) throw Problem.notFound(`no call for tenders ${id}`);
    if (p.kind !== 'customer' || t.customerId !== p.customerId) throw Problem.forbidden('this call for tenders is not yours');
    return t;
  }

  /** Withdraws an open call through its workflow; a refusal names the state the row is in by then. */
  async function withdraw(t: Tender, by: string): Promise<UpdateOutcome<unknown>> {
    if (t.status !== 'open') throw notOpen(t);
    try {
      return await runUpdate(deps.temporal, () => handle(t.id).startUpdate(withdrawTenderUpdate, { args: [{ by }], ...accepted }));
    } catch (err) {
      const now = await deps.db.tender.findUnique({ where: { id: t.id } });
      if (err instanceof Problem && now && now.status !== 'open') throw notOpen(now);
      throw err;
    }
  }

  /**
   * The call as a partner may act on it: in one of its categories, and open at this instant. The
   * row is read under a shared lock in the caller's transaction, which the withdrawal's and the
   * close's exclusive lock wait for (and the reverse): a read or proposal is before or after them.
   */
  async function openForPartner(tx: Parameters<Parameters<typeof deps.db.$transaction>[0]>[0], id: string, p: Partner): Promise<Tender> {
    await tx.$queryRaw`SELECT "id" FROM "Tender" WHERE "id" = ${id} FOR SHARE`;
    const t = await tx.tender.findUnique({ where: { id } });
    // Unverified calls and those of other categories are not shown to this partner at all.
    if (!t || t.status === 'awaiting_verification' || !p.tenderCategories.includes(t.category)) throw Problem.notFound(`no call for tenders ${id} in your categories`);
    if (!isTenderOpenAt(t)) throw notOpen(t);
    return t;
  }

  routes.add({
    method: 'post',
    path: '/tenders',
    tag: 'tenders',
    summary:
      "Post a call for tenders (TND-1): a signed-in customer's opens at once (contact defaulting to its account); a visitor's (or one naming another e-mail) waits for the code e-mailed to the contact (POST /tenders/{tenderId}/verify), else it is dropped after 48 hours. Open, opted-in partners receive its excerpt; it closes after 30 days. Rate-limited per address and per contact e-mail",
    allow: visitorOrCustomer,
    body: postBody,
    responses: {
      201: { description: 'The call: open, or awaiting the verification of its e-mail', schema: tenderView },
      422: { description: 'The title or excerpt holds the contact e-mail or phone (partners are e-mailed them)' },
      403: { description: 'A closed customer account' },
      429: { description: 'Too many calls from this address or for this e-mail' },
    },
    handler: async ({ principal, body }) => {
      const account = principal.kind === 'customer' ? await deps.db.customer.findUnique({ where: { id: principal.customerId } }) : null;
      if (account?.closedAt) throw Problem.forbidden('this account is closed (ACC-3)');
      const name = body.contact?.name ?? account?.name;
      const email = (body.contact?.email ?? account?.email)?.trim().toLowerCase();
      const missing = [...(name ? [] : ['body.contact.name']), ...(email ? [] : ['body.contact.email'])];
      if (missing.length > 0) throw Problem.badRequest(missing.map((field) => ({ field, message: 'required for a visitor (no API key)' })));
      // What partners are e-mailed (title, excerpt) never carries the contact: they read it in full, recorded.
      const phone = body.contact?.phone?.replace(/\D/g, '');
      const leaks = (['title', 'excerpt'] as const).filter((f) => body[f].toLowerCase().includes(email!) || (phone && phone.length >= 6 && body[f].replace(/\D/g, '').includes(phone)));
      if (leaks.length > 0) {
        throw Problem.unprocessable('contact-in-excerpt', 'Contact details in the excerpt', `${leaks.map((f) => `body.${f}`).join(', ')}: partners are e-mailed it; the contact details are shown only to a partner who reads the call in full (TND-1)`, {
          errors: leaks.map((f) => ({ field: `body.${f}`, message: 'must not contain the contact e-mail or phone' })),
        });
      }
      const verified = account !== null && email === account.email.toLowerCase();
      const id = `tnd_${randomBytes(16).toString('hex')}`;
      const createdAt = new Date();
      await deps.db.$transaction(async (tx) => {
        await tx.tender.create({
          data: { id, customerId: account?.id ?? null, contactName: name!, contactEmail: email!, contactPhone: body.contact?.phone ?? null, category: body.category, title: body.title, excerpt: body.excerpt, description: body.description, status: 'awaiting_verification', createdAt },
        });
        await writeAudit(tx, { key: `tnd:${id}:posted`, at: createdAt.toISOString(), actor: actorOf(principal), action: 'tender.posted', entityType: 'tender', entityId: id, workflowId: tenderWorkflowId(id), data: { category: body.category, verified } });
      });
      const start = new WithStartWorkflowOperation(tenderWorkflow, {
        workflowId: tenderWorkflowId(id),
        taskQueue: deps.taskQueue,
        args: [{ tenderId: id, category: body.category, createdAt: createdAt.toISOString(), verified, customerId: account?.id ?? null }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: tenderSummary({ tenderId: id, category: body.category }),
        typedSearchAttributes: [{ key: BusinessStatusKey, value: 'awaiting_verification' }],
      });
      await deps.temporal.workflow.executeUpdateWithStart(tenderStartedUpdate, { startWorkflowOperation: start });
      return { status: 201, body: await reload(id) };
    },
  });

  routes.add({
    method: 'post',
    path: '/tenders/:tenderId/verify',
    tag: 'tenders',
    summary: `Verify the contact e-mail of a call for tenders with the code it was e-mailed (TND-1, X-8): the call opens. ${TENDER_CODE_ATTEMPTS} wrong codes and the code stops working; the code is the proof, no key is needed`,
    allow: visitorOrCustomer,
    params: tenderParams,
    body: codeBody,
    responses: {
      200: { description: 'The call, open', schema: tenderView },
      202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl', schema: pendingCommand },
      404: { description: 'No such call (or dropped: unverified after 48 hours)' },
      409: { description: 'The call is not awaiting verification' },
      422: { description: 'Wrong or expired code (reason WrongCode, TooManyAttempts, CodeExpired)' },
    },
    handler: async ({ params, body }) => {
      const id = params.tenderId;
      const outcome = await deps.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT "id" FROM "Tender" WHERE "id" = ${id} FOR UPDATE`;
        const t = await tx.tender.findUnique({ where: { id } });
        if (!t) throw Problem.notFound(`no call for tenders ${id}`);
        const code = await tx.confirmationCode.findUnique({ where: { id: tenderCodeId(id) } });
        if (t.status !== 'awaiting_verification' || code?.usedAt) throw Problem.conflict(`the call for tenders ${id} is ${t.status.replace(/_/g, ' ')}: its e-mail is verified already`, { reason: 'AlreadyVerified', state: t.status });
        if (!code) throw Problem.conflict('the verification code is being e-mailed: retry in a moment', { reason: 'NoCodeYet' });
        if (code.attempts >= TENDER_CODE_ATTEMPTS) return 'TooManyAttempts' as const;
        if (code.expiresAt.getTime() <= Date.now()) return 'CodeExpired' as const;
        if (code.codeHash !== tenderCodeHash(id, body.code)) {
          await tx.confirmationCode.update({ where: { id: code.id }, data: { attempts: { increment: 1 } } });
          return 'WrongCode' as const;
        }
        await tx.confirmationCode.update({ where: { id: code.id }, data: { usedAt: new Date() } });
        return 'ok' as const;
      });
      if (outcome !== 'ok') {
        const detail = { WrongCode: 'this is not the code of the e-mail', TooManyAttempts: `${TENDER_CODE_ATTEMPTS} wrong codes were typed: this code no longer works; post the call again`, CodeExpired: 'the code has expired' }[outcome];
        throw Problem.unprocessable('command-refused', 'Command refused', `body.code: ${detail}`, { reason: outcome, errors: [{ field: 'body.code', message: detail }] });
      }
      const done = await runUpdate(deps.temporal, () => handle(id).startUpdate(emailVerifiedUpdate, accepted));
      if (!done.done) return pendingAnswer(done);
      return { status: 200, body: await reload(id) };
    },
  });

  routes.add({
    method: 'get',
    path: '/tenders/:tenderId',
    tag: 'tenders',
    summary: 'A call for tenders of the caller, with the proposals received (TND-1): its customer only',
    allow: allow.customer,
    params: tenderParams,
    responses: { 200: { description: 'The call', schema: tenderView } },
    handler: async ({ principal, params }) => ({ status: 200, body: await viewOf(await ownTender(params.tenderId, principal)) }),
  });

  routes.add({
    method: 'post',
    path: '/tenders/:tenderId/withdraw',
    tag: 'tenders',
    summary: 'Withdraw an open call for tenders at once (TND-1): from then no partner reads it or sends a proposal. Its customer only (a visitor uses the e-mailed link)',
    allow: allow.customer,
    params: tenderParams,
    body: z.strictObject({}),
    responses: {
      200: { description: 'The call, withdrawn', schema: tenderView },
      202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl', schema: pendingCommand },
      409: { description: 'The call is not open (reason TenderWithdrawn, TenderClosed, TenderNotOpen)' },
    },
    handler: async ({ principal, params }) => {
      const t = await ownTender(params.tenderId, principal);
      const outcome = await withdraw(t, actorOf(principal));
      if (!outcome.done) return pendingAnswer(outcome);
      return { status: 200, body: await reload(t.id) };
    },
  });

  // --- partners --------------------------------------------------------------------------------

  routes.add({
    method: 'post',
    path: '/partner/tender-categories',
    tag: 'tenders',
    summary: 'Set the categories of calls for tenders the partner receives (TND-1), replacing the previous list: an approved partner (PRT-1)',
    allow: partner,
    body: categoriesBody,
    responses: { 200: { description: "The partner's categories", schema: z.strictObject({ partnerId: z.string(), categories: z.array(z.string()) }).openapi('TenderCategories') } },
    handler: async ({ principal, body }) => {
      const p = await approvedPartnerOf(deps.db, principal);
      const at = new Date();
      const categories = TENDER_CATEGORIES.filter((c) => body.categories.includes(c));
      await deps.db.$transaction(async (tx) => {
        await tx.partner.update({ where: { id: p.id }, data: { tenderCategories: categories } });
        await writeAudit(tx, { key: `prt:${p.id}:tender-categories:${at.getTime()}`, at: at.toISOString(), actor: actorOf(principal), action: 'partner.tender_categories', entityType: 'partner', entityId: p.id, data: { categories } });
      });
      return { status: 200, body: { partnerId: p.id, categories } };
    },
  });

  routes.add({
    method: 'get',
    path: '/partner/tenders',
    tag: 'tenders',
    summary: "The open calls for tenders of the partner's categories, newest first (TND-1): excerpts only, no contact details; an approved partner",
    allow: partner,
    query: listQuery('partner-tenders', { category: oneOf(TENDER_CATEGORIES) }),
    responses: { 200: { description: 'A page of excerpts', schema: partnerPage } },
    handler: async ({ principal, query }) => {
      const p = await approvedPartnerOf(deps.db, principal);
      const categories = query.category ? p.tenderCategories.filter((c) => c === query.category) : p.tenderCategories;
      const rows = await deps.db.tender.findMany({
        where: { AND: [{ status: 'open', category: { in: categories }, closesAt: { gt: new Date() } }, afterCursor(query.cursor, 'openedAt')] },
        orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return { status: 200, body: toPage('partner-tenders', rows, query.limit, (t) => ({ at: t.openedAt!, id: t.id }), excerptOf) };
    },
  });

  routes.add({
    method: 'post',
    path: '/partner/tenders/:tenderId/read',
    tag: 'tenders',
    summary: 'Read an open call for tenders in full, with its contact details (TND-1): each read is recorded. An approved partner of its category; a withdrawn or closed call is refused',
    allow: partner,
    params: tenderParams,
    body: z.strictObject({}),
    responses: {
      200: { description: 'The call in full', schema: partnerFull },
      404: { description: "No such call in the partner's categories" },
      409: { description: 'The call is withdrawn or closed (reason TenderWithdrawn, TenderClosed)' },
    },
    handler: async ({ principal, params }) => {
      const p = await approvedPartnerOf(deps.db, principal);
      const t = await deps.db.$transaction(async (tx) => {
        const open = await openForPartner(tx, params.tenderId, p);
        await tx.tenderRead.create({ data: { tenderId: open.id, partnerId: p.id } });
        return open;
      });
      return { status: 200, body: { ...excerptOf(t), description: t.description, contact: { name: t.contactName, email: t.contactEmail, phone: t.contactPhone } } };
    },
  });

  routes.add({
    method: 'post',
    path: '/partner/tenders/:tenderId/proposals',
    tag: 'tenders',
    summary: "Send a proposal for an open call for tenders (TND-1): a message and an optional price; its contact is e-mailed it with the call's withdrawal link. An approved partner of its category; a withdrawn or closed call is refused",
    allow: partner,
    params: tenderParams,
    body: proposalBody,
    responses: {
      201: { description: 'The proposal', schema: proposalView },
      404: { description: "No such call in the partner's categories" },
      409: { description: 'The call is withdrawn or closed (reason TenderWithdrawn, TenderClosed)' },
    },
    handler: async ({ principal, params, body }) => {
      const p = await approvedPartnerOf(deps.db, principal);
      const id = `tpr_${randomBytes(16).toString('hex')}`;
      const proposal = await deps.db.$transaction(async (tx) => {
        const t = await openForPartner(tx, params.tenderId, p);
        const row = await tx.tenderProposal.create({ data: { id, tenderId: t.id, partnerId: p.id, message: body.message, priceCents: body.priceCents ?? null, currency: body.currency ?? null } });
        await writeAudit(tx, { key: `tnd:${t.id}:proposal:${id}`, at: row.createdAt.toISOString(), actor: actorOf(principal), action: 'tender.proposal', entityType: 'tender', entityId: t.id, workflowId: tenderWorkflowId(t.id), data: { proposalId: id, partnerId: p.id, price: row.priceCents !== null ? formatMoney(row.priceCents, row.currency!) : null } });
        return row;
      });
      // The e-mail is the workflow's; should it end meanwhile, its end e-mails every proposal made.
      await handle(proposal.tenderId)
        .signal(proposalReceivedSignal, { proposalId: id })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
      return {
        status: 201,
        body: { proposalId: id, tenderId: proposal.tenderId, partnerId: p.id, companyName: p.companyName, message: proposal.message, priceCents: proposal.priceCents, currency: proposal.currency, createdAt: proposal.createdAt.toISOString() },
      };
    },
  });

  // --- the e-mailed withdrawal link (house link pattern: api/routes/links.ts) ----------------------

  async function linkedTender(token: string): Promise<Tender> {
    const id = subjectOf('tender-withdrawal', token);
    const t = await deps.db.tender.findUnique({ where: { id } });
    if (!t) throw Problem.notFound(`no call for tenders ${id}`);
    if (t.status === 'closed' || t.status === 'awaiting_verification') throw notOpen(t);
    return t;
  }
  const linkRefusals = {
    400: { description: 'The link is malformed (params.token); a page to a browser' },
    404: { description: 'The link is not valid: altered, cut short or made for another page; a page to a browser' },
    409: { description: 'The call has closed by itself (reason TenderClosed)' },
    410: { description: 'The link has expired; a page to a browser' },
  };

  routes.add({
    method: 'get',
    path: '/links/tender-withdrawal/:token',
    tag: 'links',
    summary: "The page of a call for tenders' withdrawal link (TND-1): the call and a button that withdraws it at once; opening it changes nothing",
    allow: allow.anyone,
    params: tokenParams,
    responses: { 200: { description: 'The withdrawal page, or the page saying it is withdrawn (HTML)', contentType: 'text/html' }, ...linkRefusals },
    handler: async ({ params }) => page(200, withdrawalPage(await linkedTender(params.token))),
  });

  routes.add({
    method: 'post',
    path: '/links/tender-withdrawal/:token',
    tag: 'links',
    summary: 'Withdraw the call for tenders from its e-mailed link (TND-1): at once, no more reads or proposals; a repeat shows the same result',
    allow: allow.anyone,
    params: tokenParams,
    body: z.strictObject({}),
    bodyContentTypes: ['application/x-www-form-urlencoded', 'application/json'],
    responses: {
      200: { description: 'Withdrawn (HTML result page)', contentType: 'text/html' },
      202: { description: 'Accepted, still being carried out (HTML page)', contentType: 'text/html' },
      ...linkRefusals,
    },
    handler: async ({ params }) => {
      const t = await linkedTender(params.token);
      if (t.status === 'open') {
        const outcome = await withdraw(t, 'link');
        if (!outcome.done) return page(202, pages.pendingPage('withdrawal of your call for tenders'));
      }
      return page(200, withdrawalPage(await deps.db.tender.findUniqueOrThrow({ where: { id: t.id } })));
    },
  });
}

function excerptOf(t: Tender): z.infer<typeof partnerItem> {
  return { tenderId: t.id, category: t.category, title: t.title, excerpt: t.excerpt, openedAt: t.openedAt!.toISOString(), closesAt: t.closesAt!.toISOString() };
}

/** The link's page: a button while the call is open; once withdrawn, the result. */
function withdrawalPage(t: Tender): Buffer {
  if (t.status === 'withdrawn') {
    return pages.renderPage(
      'Call for tenders withdrawn',
      pages.html`<p class="done" id="result" role="status">Your call for tenders “${t.title}” was withdrawn on ${formatDateTime(t.endedAt ?? new Date())}: partners can no longer read it or send proposals.</p>`,
    );
  }
  return pages.renderPage(
    'Withdraw your call for tenders',
    pages.html`<p>Your call for tenders <strong>“${t.title}”</strong> is open until ${formatDateTime(t.closesAt!)}. Withdrawing it takes effect at once: no partner can read it or send a proposal any more.</p>
<form method="post"><button type="submit" id="submit">Withdraw the call</button></form>`,
  );
}
