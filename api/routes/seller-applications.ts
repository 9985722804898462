// Routes of seller onboarding (KYC-1). Anyone applies and gets an application token (`sa1.…`,
// as a checkout's order token): with it the applicant follows its own application and uploads
// its documents as multipart files (checked by content, stored in the file store, the workflow
// given the document's id only). Ops list every application and approve or reject submitted
// ones. The seller's access never comes in an answer: the approval e-mails a sign-in link.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { WithStartWorkflowOperation, WorkflowUpdateStage } from '@temporalio/client';
import type { SellerApplication, SellerDocument } from '@prisma/client';
import multer from 'multer';
import { DateTime } from 'luxon';
import { APPLICATION_STATUSES, DOCUMENT_KINDS, ONBOARDING_TIME_ZONE, PERSON_KINDS, applicationDeadlines, type DocumentKind, type Missing, type Person } from '../../domain/seller-application';
import { diskFileStore } from '../../infra/file-storage';
import { sniffDocument } from '../../infra/file-type';
import { BusinessStatusKey } from '../../workflows/search-attributes';
import {
  applicationOpenedUpdate,
  approveApplicationUpdate,
  documentAddedUpdate,
  rejectApplicationUpdate,
  sellerApplicationWorkflow,
  sellerApplicationWorkflowId,
  type SellerApplicationState,
} from '../../workflows/seller-application';
import { sellerApplicationSummary } from '../../workflows/summaries';
import { actorOf, allow, applicationToken, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import { pendingCommand } from '../response-schemas';
import type { RouteTable } from '../route';
import { pendingAnswer, runUpdate, runUpdateOrUndo, type UpdateOutcome } from '../temporal-errors';
import { z } from '../zod';
import { BILLING_MANDATE, VAT_NUMBER } from '../../domain/billing-identity';

/** House rule: an uploaded document is at most 10 MiB (README "Seller onboarding (KYC-1)"). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const EXTENSIONS: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

const ops = allow.staff('ops');
const applicant = (p: Principal) => p.kind === 'application';
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const people = (max: number, min: number) => z.array(z.strictObject({ name: text(200) })).min(min).max(max);
const applicationParams = z.object({ applicationId: z.string().regex(/^sapp_[0-9a-f-]{36}$/, 'must be a sapp_… id') });
const iso = z.string();

const missingItem = z.strictObject({ code: z.string(), person: z.number().int().optional(), message: z.string() });
const documentItem = z.strictObject({ documentId: z.string(), kind: z.string(), person: z.number().int().nullable(), issuedOn: z.string().nullable(), accountHolder: z.string().nullable(), mime: z.string(), size: z.number().int(), fileId: z.string(), uploadedAt: iso });
export const applicationView = z
  .strictObject({
    applicationId: z.string(),
    status: z.enum(APPLICATION_STATUSES),
    companyName: z.string(),
    registrationNumber: z.string(),
    address: z.string(),
    contact: z.strictObject({ name: z.string(), email: z.string(), phone: z.string() }),
    legalRepresentatives: z.array(z.strictObject({ name: z.string() })),
    beneficialOwners: z.array(z.strictObject({ name: z.string() })),
    missing: z.array(missingItem).describe('KYC-1: what is missing or stale; empty once submitted'),
    documents: z.array(documentItem),
    createdAt: iso,
    submittedAt: iso.nullable(),
    remindAt: iso.nullable(),
    lapsesAt: iso.nullable(),
    decidedAt: iso.nullable(),
    reason: z.string().nullable(),
    sellerId: z.string().nullable(),
  })
  .openapi('SellerApplication');
const applicationItem = z
  .strictObject({ applicationId: z.string(), status: z.string(), companyName: z.string(), registrationNumber: z.string(), createdAt: iso, submittedAt: iso.nullable(), missing: z.number().int() })
  .openapi('SellerApplicationListItem');
const applicationPage = pageOf(applicationItem).openapi('SellerApplicationPage');

const applyBody = z
  .object({
    companyName: text(200),
    registrationNumber: text(50),
    address: text(500),
    contact: z.strictObject({ name: text(200), email: z.email().max(254), phone: text(40) }),
    legalRepresentatives: people(10, 1),
    beneficialOwners: people(10, 0).describe('May be empty: the declaration then says none holds over 25 %'),
    // INV-1: the VAT number documents show (a French company's is derived from its SIREN when
    // not given), and the billing mandate under which the marketplace issues them.
    vatNumber: z.string().regex(VAT_NUMBER, 'an intra-EU VAT number, e.g. FR40303265045').optional(),
    billingMandate: z
      .strictObject({ version: z.literal(BILLING_MANDATE.version, { error: `the current billing mandate is ${BILLING_MANDATE.version}` }) })
      .describe(`Acceptance of the billing mandate ${BILLING_MANDATE.version}: ${BILLING_MANDATE.summary}`),
  })
  .strict();

/** The multipart fields that come with the file (field `file`), all text as multipart sends them. */
const documentBody = z
  .object({
    kind: z.enum(DOCUMENT_KINDS),
    person: z.string().regex(/^[1-9][0-9]?$/, 'the 1-based position of the person (1 to 99)').transform(Number).optional(),
    issuedOn: z.iso.date().optional().describe('registration_extract: its issue date (YYYY-MM-DD)'),
    accountHolder: text(200).optional().describe('bank_details: the account holder name on the bank details'),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (PERSON_KINDS.includes(b.kind) && b.person === undefined) ctx.addIssue({ code: 'custom', path: ['person'], message: `required for ${b.kind}` });
    if (!PERSON_KINDS.includes(b.kind) && b.person !== undefined) ctx.addIssue({ code: 'custom', path: ['person'], message: `not for ${b.kind}` });
    if (b.kind === 'registration_extract' && !b.issuedOn) ctx.addIssue({ code: 'custom', path: ['issuedOn'], message: 'required for registration_extract' });
    if (b.kind === 'bank_details' && !b.accountHolder) ctx.addIssue({ code: 'custom', path: ['accountHolder'], message: 'required for bank_details' });
  });

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10, fieldSize: 2_000, parts: 11 } }).single('file');

/**
 * The multipart parser of the upload route, mounted before the route table (api/app.ts). Memory
 * storage, bounded: the bytes go to the file store from the handler. Its refusals are 4xx naming
 * the field; a request that is not multipart passes through and is refused by the route.
 */
export function documentUpload(req: Request, res: Response, next: NextFunction): void {
  upload(req, res, (err: unknown) => {
    if (!err) return next();
    if (err instanceof multer.MulterError) {
      const field = `body.${err.field ?? 'file'}`;
      if (err.code === 'LIMIT_FILE_SIZE') return next(new Problem(413, 'document-too-large', 'Document too large', `${field}: at most ${MAX_DOCUMENT_BYTES} bytes (10 MiB)`, { errors: [{ field, message: `at most ${MAX_DOCUMENT_BYTES} bytes` }] }));
      const message = err.code === 'LIMIT_UNEXPECTED_FILE' ? 'unexpected file: send one file, in the field `file`' : err.message;
      return next(Problem.badRequest([{ field, message }]));
    }
    next(Problem.badRequest([{ field: 'body', message: `malformed multipart body: ${(err as Error).message}` }]));
  });
}

export function registerSellerApplicationRoutes(routes: RouteTable, deps: ApiDeps): void {
  const store = deps.fileStore ?? diskFileStore();
  const handle = (id: string) => deps.temporal.workflow.getHandle(sellerApplicationWorkflowId(id));

  /** the applicant reads its own application only; ops every one. */
  async function load(id: string, principal: Principal): Promise<SellerApplication> {
    if (principal.kind === 'application' && principal.applicationId !== id) throw Problem.forbidden('this application is not yours');
    const app = await deps.db.sellerApplication.findUnique({ where: { id } });
    if (!app) throw Problem.notFound(`no application ${id}`);
    return app;
  }
  async function viewOf(app: SellerApplication): Promise<z.infer<typeof applicationView>> {
    const docs = await deps.db.sellerDocument.findMany({ where: { applicationId: app.id }, orderBy: [{ uploadedAt: 'asc' }, { id: 'asc' }] });
    const deadlines = app.status === 'incomplete' ? applicationDeadlines(app.createdAt.toISOString()) : null;
    return {
      applicationId: app.id,
      status: app.status as z.infer<typeof applicationView>['status'],
      companyName: app.companyName,
      registrationNumber: app.registrationNumber,
      address: app.address,
      contact: { name: app.contactName, email: app.contactEmail, phone: app.contactPhone },
      legalRepresentatives: app.representatives as unknown as Person[],
      beneficialOwners: app.beneficialOwners as unknown as Person[],
      missing: app.missing as unknown as Missing[],
      documents: docs.map(documentOf),
      createdAt: app.createdAt.toISOString(),
      submittedAt: app.submittedAt?.toISOString() ?? null,
      remindAt: deadlines?.remindAt ?? null,
      lapsesAt: deadlines?.lapsesAt ?? null,
      decidedAt: app.decidedAt?.toISOString() ?? null,
      reason: app.reason,
      sellerId: app.sellerId,
    };
  }
  const reload = async (id: string) => viewOf(await deps.db.sellerApplication.findUniqueOrThrow({ where: { id } }));

  routes.add({
    method: 'post',
    path: '/seller-applications',
    tag: 'seller onboarding',
    summary: 'Apply as a seller (KYC-1): the company, its contact, legal representatives and beneficial owners. Answers an application token (Bearer) to upload the documents and follow the application; never a seller key',
    allow: allow.anyone,
    body: applyBody,
    responses: { 201: { description: 'The application, incomplete until its documents are in', schema: z.strictObject({ applicationToken: z.string(), application: applicationView }) } },
    handler: async ({ body }) => {
      const id = `sapp_${randomUUID()}`;
      const createdAt = new Date();
      await deps.db.sellerApplication.create({
        data: {
          id, companyName: body.companyName, registrationNumber: body.registrationNumber, address: body.address,
          contactName: body.contact.name, contactEmail: body.contact.email.trim().toLowerCase(), contactPhone: body.contact.phone,
          representatives: body.legalRepresentatives, beneficialOwners: body.beneficialOwners, status: 'incomplete', createdAt,
          vatNumber: body.vatNumber ?? null, billingMandateVersion: body.billingMandate.version, billingMandateAcceptedAt: createdAt,
        },
      });
      const start = new WithStartWorkflowOperation(sellerApplicationWorkflow, {
        workflowId: sellerApplicationWorkflowId(id),
        taskQueue: deps.taskQueue,
        args: [{ applicationId: id, companyName: body.companyName, createdAt: createdAt.toISOString() }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: sellerApplicationSummary({ applicationId: id, companyName: body.companyName }),
        typedSearchAttributes: [{ key: BusinessStatusKey, value: 'incomplete' }],
      });
      await deps.temporal.workflow.executeUpdateWithStart(applicationOpenedUpdate, { startWorkflowOperation: start });
      return { status: 201, body: { applicationToken: applicationToken(id, createdAt), application: await reload(id) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/seller-applications/:applicationId/documents',
    tag: 'seller onboarding',
    summary: `Add a document (KYC-1), multipart/form-data: the file in \`file\` (PDF, PNG or JPEG by content; at most 10 MiB) with its kind, the person (1-based) of an ID, the issue date of the registration extract, the account holder of the bank details. The last one missing submits the application`,
    allow: applicant,
    params: applicationParams,
    body: documentBody,
    bodyContentTypes: ['multipart/form-data'],
    responses: {
      201: { description: 'The application after the document', schema: applicationView },
      202: { description: 'Accepted, still being assessed: the outcome will be at statusUrl', schema: pendingCommand },
      409: { description: 'The application is no longer incomplete' },
      413: { description: 'The file is over 10 MiB' },
      415: { description: 'The content is not a PDF, PNG or JPEG, or not what its name or declared type says' },
      422: { description: 'The person or the issue date does not fit the application' },
    },
    handler: async ({ principal, params, body, req }) => {
      const app = await load(params.applicationId, principal);
      const file = (req as Request & { file?: Express.Multer.File }).file;
      if (!file) throw Problem.badRequest([{ field: 'body.file', message: 'required: the document, as a multipart file in the field `file`' }]);
      const mime = sniffDocument(file.buffer);
      const byName = EXTENSIONS[(/\.([A-Za-z0-9]+)$/.exec(file.originalname)?.[1] ?? '').toLowerCase()];
      const declared = Object.values(EXTENSIONS).includes(file.mimetype) ? file.mimetype : undefined;
      if (!mime || (byName && byName !== mime) || (declared && declared !== mime)) {
        const what = mime ? `its content is ${mime}, not what its ${byName && byName !== mime ? 'name' : 'declared type'} says` : 'its content is not a PDF, PNG or JPEG';
        throw new Problem(415, 'unsupported-document', 'Unsupported document', `body.file: ${what}`, { errors: [{ field: 'body.file', message: what }] });
      }
      const count = PERSON_KINDS.includes(body.kind) ? (body.kind === 'representative_id' ? (app.representatives as unknown as Person[]) : (app.beneficialOwners as unknown as Person[])).length : 0;
      if (body.person !== undefined && body.person > count) {
        throw Problem.unprocessable('no-such-person', 'No such person', `body.person: the application has ${count} ${body.kind === 'representative_id' ? 'legal representative(s)' : 'beneficial owner(s)'}`, { errors: [{ field: 'body.person', message: `must be 1 to ${count}` }] });
      }
      const today = DateTime.now().setZone(ONBOARDING_TIME_ZONE).toISODate()!;
      if (body.issuedOn && body.issuedOn > today) throw Problem.unprocessable('issued-in-future', 'Issue date in the future', `body.issuedOn: after today (${today})`, { errors: [{ field: 'body.issuedOn', message: `must not be after ${today}` }] });
      if (app.status !== 'incomplete') throw Problem.conflict(`the application is ${app.status}: documents are added while it is incomplete`, { reason: 'WrongApplicationState' });
      const fileId = await store.put(file.buffer);
      const documentId = `sdoc_${randomUUID()}`;
      await deps.db.sellerDocument.create({
        data: { id: documentId, applicationId: app.id, kind: body.kind, person: body.person ?? null, issuedOn: body.issuedOn ?? null, accountHolder: body.accountHolder ?? null, fileId, mime, size: file.size },
      });
      // Refused by the workflow (it ended meanwhile): the row goes; the stored file may stay (content-addressed, shared).
      // Except when the application was submitted meanwhile: a concurrent upload's assessment
      // counted every row there, this one too (rows are read under the application's lock), so
      // it stays, and the upload is answered as part of that submission.
      let counted = false;
      const undo = async () =>
        deps.db.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT "id" FROM "SellerApplication" WHERE "id" = ${app.id} FOR UPDATE`;
          const now = await tx.sellerApplication.findUniqueOrThrow({ where: { id: app.id } });
          if (now.submittedAt) counted = true;
          else await tx.sellerDocument.delete({ where: { id: documentId } });
        });
      try {
        const outcome = await runUpdateOrUndo(
          deps.temporal,
          () => handle(app.id).startUpdate(documentAddedUpdate, { args: [{ documentId }], waitForStage: WorkflowUpdateStage.ACCEPTED }),
          undo,
        );
        if (!outcome.done) return pendingAnswer(outcome);
      } catch (err) {
        if (!counted) throw err;
      }
      return { status: 201, body: await reload(app.id) };
    },
  });

  routes.add({
    method: 'get',
    path: '/seller-applications/:applicationId',
    tag: 'seller onboarding',
    summary: 'An application: its status, what is missing or stale (KYC-1), its documents (no bytes), deadlines: its applicant (application token) or ops',
    allow: allow.anyOf(applicant, ops),
    params: applicationParams,
    responses: { 200: { description: 'The application', schema: applicationView } },
    handler: async ({ principal, params }) => ({ status: 200, body: await viewOf(await load(params.applicationId, principal)) }),
  });

  routes.add({
    method: 'get',
    path: '/ops/seller-applications',
    tag: 'seller onboarding',
    summary: 'Seller applications, newest first, filterable by status (KYC-1): ops',
    allow: ops,
    query: listQuery('ops-seller-applications', { status: oneOf(APPLICATION_STATUSES) }),
    responses: { 200: { description: 'A page of applications', schema: applicationPage } },
    handler: async ({ query }) => {
      const rows = await deps.db.sellerApplication.findMany({ where: { AND: [query.status ? { status: query.status } : {}, afterCursor(query.cursor, 'createdAt')] }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      return {
        status: 200,
        body: toPage('ops-seller-applications', rows, query.limit, (r) => ({ at: r.createdAt, id: r.id }), (r) => ({
          applicationId: r.id, status: r.status, companyName: r.companyName, registrationNumber: r.registrationNumber, createdAt: r.createdAt.toISOString(), submittedAt: r.submittedAt?.toISOString() ?? null, missing: (r.missing as unknown[]).length,
        })),
      };
    },
  });

  const decision = <B extends z.ZodType>(spec: { path: string; summary: string; body: B; run: (id: string, p: Principal, b: z.infer<B>) => Promise<UpdateOutcome<SellerApplicationState>> }) =>
    routes.add({
      method: 'post',
      path: `/seller-applications/:applicationId/${spec.path}`,
      tag: 'seller onboarding',
      summary: spec.summary,
      allow: ops,
      params: applicationParams,
      body: spec.body,
      responses: {
        200: { description: 'The application after the decision', schema: applicationView },
        202: { description: 'Accepted, still being carried out: the outcome will be at statusUrl', schema: pendingCommand },
        409: { description: 'The application is not submitted' },
      },
      handler: async ({ principal, params, body }) => {
        const app = await load(params.applicationId, principal);
        if (app.status !== 'submitted') throw Problem.conflict(`the application is ${app.status}: ops decide on submitted applications only (KYC-1)`, { reason: 'WrongApplicationState' });
        const outcome = await spec.run(app.id, principal, body);
        if (!outcome.done) return pendingAnswer(outcome);
        return { status: 200, body: await reload(app.id) };
      },
    });
  const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
  decision({
    path: 'approve',
    summary: 'Approve a submitted application (KYC-1): the Seller is made, approved; its contact is e-mailed a single-use sign-in link to its seller key',
    body: z.object({}).strict(),
    run: (id, p) => runUpdate(deps.temporal, () => handle(id).startUpdate(approveApplicationUpdate, { args: [{ staff: actorOf(p) }], ...accepted })),
  });
  decision({
    path: 'reject',
    summary: 'Reject a submitted application with a reason (KYC-1): the applicant is e-mailed it',
    body: z.object({ reason: text(2_000) }).strict(),
    run: (id, p, b) => runUpdate(deps.temporal, () => handle(id).startUpdate(rejectApplicationUpdate, { args: [{ staff: actorOf(p), reason: b.reason }], ...accepted })),
  });
}

function documentOf(d: SellerDocument): z.infer<typeof documentItem> {
  return { documentId: d.id, kind: d.kind as DocumentKind, person: d.person, issuedOn: d.issuedOn, accountHolder: d.accountHolder, mime: d.mime, size: d.size, fileId: d.fileId, uploadedAt: d.uploadedAt.toISOString() };
}
