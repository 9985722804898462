// SellerApplication:<applicationId> — a company's application to sell on the marketplace (KYC-1).
// Reads top to bottom: the application is received (the applicant e-mailed what is missing); each
// document added (an Update carrying its id only: the bytes stay in the file store) has what is
// missing or stale recomputed from the database, and the arrival of the last one submits it (the
// extract's 3 months are judged then); ops approve (the Seller row is made, the applicant e-mailed
// a single-use sign-in link to its seller access) or reject with a reason. Left incomplete, it is
// reminded at day 23 and lapses at day 30 (house rules), each a named durable timer.
import { ApplicationFailure, allHandlersFinished, condition, defineQuery, defineUpdate, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { applicationDeadlines, isApplicationEnded, type ApplicationStatus, type Missing } from '../domain/seller-application';
import type { ApplicationEmailKind } from '../activities/seller-applications';
import { db } from './activity-options';
import { currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey, DueAtKey, SellerIdKey } from './search-attributes';

export interface SellerApplicationInput {
  applicationId: string;
  /** The company's name, for what staff read (no address, no person). */
  companyName: string;
  createdAt: string;
}

export interface SellerApplicationState {
  applicationId: string;
  status: ApplicationStatus;
  createdAt: string;
  missing: Missing[];
  submittedAt: string | null;
  remindAt: string;
  remindedAt: string | null;
  lapsesAt: string;
  nextDeadline: { rule: string; what: string; at: string } | null;
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  sellerId: string | null;
}

export interface DocumentAdded { documentId: string }
export interface Approve { staff: string }
export interface Reject { staff: string; reason: string }

export const sellerApplicationStateQuery = defineQuery<SellerApplicationState>('sellerApplicationState');
export const applicationOpenedUpdate = defineUpdate<SellerApplicationState, []>('applicationOpened');
export const documentAddedUpdate = defineUpdate<SellerApplicationState, [DocumentAdded]>('documentAdded');
export const approveApplicationUpdate = defineUpdate<SellerApplicationState, [Approve]>('approveApplication');
export const rejectApplicationUpdate = defineUpdate<SellerApplicationState, [Reject]>('rejectApplication');

export function sellerApplicationWorkflowId(applicationId: string): string {
  return `SellerApplication:${applicationId}`;
}

type Command = { kind: 'document'; c: DocumentAdded } | { kind: 'approve'; c: Approve } | { kind: 'reject'; c: Reject };
interface Queued { cmd: Command; at: string; done: boolean; error?: unknown }

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
const nowIso = () => new Date().toISOString();
const label = (s: string) => s.replace(/_/g, ' ');

export async function sellerApplicationWorkflow(input: SellerApplicationInput): Promise<SellerApplicationState> {
  const workflowId = workflowInfo().workflowId;
  const { remindAt, lapsesAt } = applicationDeadlines(input.createdAt);
  const state: SellerApplicationState = {
    applicationId: input.applicationId, status: 'incomplete', createdAt: input.createdAt, missing: [], submittedAt: null,
    remindAt, remindedAt: null, lapsesAt, nextDeadline: null, decidedAt: null, decidedBy: null, reason: null, sellerId: null,
  };
  const queue: Queued[] = [];
  let ready = false;
  const company = input.companyName;

  const view = (): SellerApplicationState => {
    const d = nextDeadline();
    state.nextDeadline = d ? { rule: d.rule, what: d.what, at: d.at } : null;
    return state;
  };
  setHandler(sellerApplicationStateQuery, view);
  setHandler(applicationOpenedUpdate, async () => {
    await condition(() => ready);
    return view();
  });
  const validate = (cmd: Command) => {
    if (!ready) refuse('the application is opening: retry in a moment', 'NotReady');
    if (isApplicationEnded(state.status)) refuse(`the application is ${label(state.status)}`, 'ApplicationEnded');
    if (cmd.kind === 'document') {
      if (state.status !== 'incomplete') refuse(`the application is ${label(state.status)}: documents are added while it is incomplete`, 'WrongApplicationState');
    } else {
      if (state.status !== 'submitted') refuse(`the application is ${label(state.status)}: ops decide on submitted applications only (KYC-1)`, 'WrongApplicationState');
      if (cmd.kind === 'reject' && !cmd.c.reason.trim()) refuse('reason: a rejection needs a reason', 'InvalidArgument');
    }
  };
  async function enqueue(cmd: Command): Promise<SellerApplicationState> {
    const item: Queued = { cmd, at: nowIso(), done: false };
    queue.push(item);
    await condition(() => item.done);
    if (item.error) throw item.error;
    return view();
  }
  setHandler(documentAddedUpdate, (c) => enqueue({ kind: 'document', c }), { validator: (c) => validate({ kind: 'document', c }) });
  setHandler(approveApplicationUpdate, (c) => enqueue({ kind: 'approve', c }), { validator: (c) => validate({ kind: 'approve', c }) });
  setHandler(rejectApplicationUpdate, (c) => enqueue({ kind: 'reject', c }), { validator: (c) => validate({ kind: 'reject', c }) });

  // --- run -----------------------------------------------------------------------------------
  await assess(state.createdAt);
  await tell('received');
  if (state.status === 'submitted') await tell('submitted');
  ready = true;

  while (!isApplicationEnded(state.status)) {
    const d = nextDeadline();
    publish(d);
    if (queue.length === 0) {
      const waitMs = d ? Date.parse(d.at) - Date.now() : undefined;
      if (waitMs === undefined) await condition(() => queue.length > 0);
      else if (waitMs > 0) await condition(() => queue.length > 0, waitMs, { summary: timerSummary(d!) });
    }
    // A command accepted before the deadline is carried out before it (a document at 29d23h59).
    if (queue.length > 0 && (!d || Date.parse(queue[0].at) < Date.parse(d.at))) {
      await carryOut(queue.shift()!);
      continue;
    }
    if (d && Date.now() >= Date.parse(d.at)) {
      if (state.remindedAt === null && d.at === state.remindAt) {
        state.remindedAt = nowIso();
        await tell('reminder');
      } else {
        await db(`KYC-1: lapse the application of ${company} (30 days incomplete)`).lapseApplication({ applicationId: state.applicationId, at: d.at, workflowId });
        state.status = 'lapsed';
        state.decidedAt = d.at;
        await tell('lapsed');
      }
    }
  }
  for (;;) {
    await condition(() => queue.length > 0 || allHandlersFinished());
    if (queue.length === 0) break;
    const item = queue.shift()!;
    item.error = ApplicationFailure.nonRetryable(`the application is ${label(state.status)}`, 'ApplicationEnded');
    item.done = true;
  }
  publish(null);
  return view();

  // --- steps ---------------------------------------------------------------------------------
  async function carryOut(item: Queued): Promise<void> {
    try {
      const { cmd } = item;
      if (cmd.kind === 'document') {
        if (state.status !== 'incomplete') refuse(`the application is ${label(state.status)}`, 'WrongApplicationState');
        await assess(item.at, cmd.c.documentId);
        if (state.status === 'submitted') await tell('submitted');
      } else {
        if (state.status !== 'submitted') refuse(`the application is ${label(state.status)}`, 'WrongApplicationState');
        const approve = cmd.kind === 'approve';
        const reason = cmd.kind === 'reject' ? cmd.c.reason.trim() : null;
        const { sellerId } = await db(`KYC-1: ${approve ? 'approve' : 'reject'} the application of ${company}`).decideApplication({ applicationId: state.applicationId, approve, staff: cmd.c.staff, reason, at: item.at, workflowId });
        Object.assign(state, { status: approve ? 'approved' : 'rejected', decidedAt: item.at, decidedBy: cmd.c.staff, reason, sellerId });
        if (sellerId) upsertSearchAttributes([{ key: SellerIdKey, value: sellerId }]);
        await tell(approve ? 'approved' : 'rejected');
      }
    } catch (err) {
      item.error = err;
    } finally {
      item.done = true;
    }
  }

  async function assess(at: string, documentId?: string): Promise<void> {
    const a = await db(`KYC-1: what the application of ${company} still needs`).assessApplication({ applicationId: state.applicationId, at, workflowId, ...(documentId ? { documentId } : {}) });
    state.status = a.status;
    state.missing = a.missing;
    state.submittedAt = a.submittedAt;
  }

  /** While incomplete: the day-23 reminder, then the day-30 lapse (house rules). */
  function nextDeadline(): Deadline | null {
    if (state.status !== 'incomplete') return null;
    if (state.remindedAt === null) return { rule: 'KYC-1', what: `remind ${company} of the missing documents`, word: 'on', at: state.remindAt };
    return { rule: 'KYC-1', what: `${company} must complete the application (else it lapses)`, at: state.lapsesAt };
  }

  async function tell(kind: ApplicationEmailKind): Promise<void> {
    await sendEmail({ rule: 'KYC-1', what: `application ${kind} (${state.applicationId}, ${company})` }, (a) =>
      a.composeApplicationEmail({ applicationId: state.applicationId, kind, key: `sapp:${state.applicationId}:${kind}` }),
    );
  }

  function publish(d: Deadline | null): void {
    upsertSearchAttributes([
      { key: BusinessStatusKey, value: state.status },
      { key: DueAtKey, value: d ? new Date(d.at) : null },
    ]);
    const facts = [`applied ${localTime(state.createdAt)}`];
    if (state.missing.length > 0 && state.status === 'incomplete') facts.push(`missing: ${state.missing.map((m) => label(m.code) + (m.person ? ` ${m.person}` : '')).join(', ')}`);
    if (state.submittedAt) facts.push(`submitted ${localTime(state.submittedAt)}`);
    if (state.decidedAt) facts.push(`${label(state.status)} ${localTime(state.decidedAt)}${state.reason ? `: ${state.reason}` : ''}`);
    const awaiting = state.status === 'incomplete' ? `the missing documents, from ${company}` : state.status === 'submitted' ? 'approval or rejection, from ops' : null;
    setCurrentDetails(currentDetails({ title: `Seller application ${state.applicationId} · ${company}`, state: `${label(state.status)} (KYC-1)`, deadline: d, awaiting, facts }));
  }
}
