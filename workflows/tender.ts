// Tender:<tenderId> — a call for tenders (TND-1). Reads top to bottom: posted with an address not
// yet proven, the contact is e-mailed a code and the call waits for it (dropped after 48 hours,
// house rule); open, its contact is e-mailed the withdrawal link and each opted-in partner the
// excerpt; each proposal (its row written by the API under the call's lock) is e-mailed to the
// contact with the withdrawal link; the call ends withdrawn (an Update, from the customer or the
// link) or closed 30 Paris days after it opened (a durable timer, house rule). The payloads carry
// the call's id and category only: addresses, texts and codes stay in the database.
import { ApplicationFailure, allHandlersFinished, condition, defineQuery, defineSignal, defineUpdate, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { isTenderEnded, tenderVerifyBy, type TenderStatus } from '../domain/tender';
import type { TenderEmailKind } from '../activities/tenders';
import { db } from './activity-options';
import { currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey, CustomerIdKey, DueAtKey } from './search-attributes';

export interface TenderInput {
  tenderId: string;
  category: string;
  createdAt: string;
  /** The contact e-mail is the signed-in customer's own: the call opens at once. */
  verified: boolean;
  /** The posting customer's account id; null for a visitor. */
  customerId: string | null;
}

/** `dropped`: unproven after 48 hours, its row deleted (the database has no such status). */
export type TenderState = {
  tenderId: string;
  status: TenderStatus | 'dropped';
  createdAt: string;
  verifyBy: string | null;
  openedAt: string | null;
  closesAt: string | null;
  endedAt: string | null;
  endedBy: string | null;
  partnersAnnounced: number;
  proposalsMailed: string[];
};

export interface Withdraw { by: string }
export interface ProposalReceived { proposalId: string }

export const tenderStateQuery = defineQuery<TenderState>('tenderState');
export const tenderStartedUpdate = defineUpdate<TenderState, []>('tenderStarted');
export const emailVerifiedUpdate = defineUpdate<TenderState, []>('emailVerified');
export const withdrawTenderUpdate = defineUpdate<TenderState, [Withdraw]>('withdrawTender');
export const proposalReceivedSignal = defineSignal<[ProposalReceived]>('proposalReceived');

/** Who withdraws the open calls of an account being closed (ACC-3): nothing is e-mailed then. */
export const TENDER_CLOSED_ACCOUNT = 'system:account-closure';

export function tenderWorkflowId(tenderId: string): string {
  return `Tender:${tenderId}`;
}

/** What staff read first of the process in the Temporal UI (no title: the customer wrote it). */
export function tenderSummary(t: { tenderId: string; category: string }): string {
  return `TND-1: call for tenders ${t.tenderId} · ${t.category.replace(/_/g, ' ')}`;
}

type Command = { kind: 'verified' } | { kind: 'withdraw'; c: Withdraw };
interface Queued { cmd: Command; at: string; done: boolean; error?: unknown }

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
const nowIso = () => new Date().toISOString();
const label = (s: string) => s.replace(/_/g, ' ');

export async function tenderWorkflow(input: TenderInput): Promise<TenderState> {
  const workflowId = workflowInfo().workflowId;
  const id = input.tenderId;
  const state: TenderState = {
    tenderId: id, status: 'awaiting_verification', createdAt: input.createdAt, verifyBy: input.verified ? null : tenderVerifyBy(input.createdAt),
    openedAt: null, closesAt: null, endedAt: null, endedBy: null, partnersAnnounced: 0, proposalsMailed: [],
  };
  const queue: Queued[] = [];
  const proposals: string[] = [];
  let ready = false;

  setHandler(tenderStateQuery, () => state);
  setHandler(tenderStartedUpdate, async () => {
    await condition(() => ready);
    return state;
  });
  const validate = (cmd: Command) => {
    if (!ready) refuse('the call is opening: retry in a moment', 'NotReady');
    if (isTenderEnded(state.status)) refuse(`the call for tenders is ${label(state.status)}`, 'TenderEnded');
    if (cmd.kind === 'verified' && state.status !== 'awaiting_verification') refuse(`the call for tenders is ${label(state.status)}: its e-mail is verified already`, 'TenderEnded');
    if (cmd.kind === 'withdraw' && state.status !== 'open') refuse(`the call for tenders is ${label(state.status)}: only an open call is withdrawn`, 'TenderEnded');
  };
  async function enqueue(cmd: Command): Promise<TenderState> {
    const item: Queued = { cmd, at: nowIso(), done: false };
    queue.push(item);
    await condition(() => item.done);
    if (item.error) throw item.error;
    return state;
  }
  setHandler(emailVerifiedUpdate, () => enqueue({ kind: 'verified' }), { validator: () => validate({ kind: 'verified' }) });
  setHandler(withdrawTenderUpdate, (c) => enqueue({ kind: 'withdraw', c }), { validator: (c) => validate({ kind: 'withdraw', c }) });
  setHandler(proposalReceivedSignal, ({ proposalId }) => {
    if (!proposals.includes(proposalId) && !state.proposalsMailed.includes(proposalId)) proposals.push(proposalId);
  });
  if (input.customerId) upsertSearchAttributes([{ key: CustomerIdKey, value: input.customerId }]);

  // --- run -----------------------------------------------------------------------------------
  // The posting answers once the call is open (or its code e-mailed); partners are told after.
  if (input.verified) {
    await open(input.createdAt, `customer:${input.customerId}`);
    ready = true;
    await announce();
  } else {
    await tell('verification');
    ready = true;
  }

  while (!isTenderEnded(state.status)) {
    const d = nextDeadline();
    publish(d);
    if (queue.length === 0 && proposals.length === 0) {
      const waitMs = d ? Date.parse(d.at) - Date.now() : undefined;
      const woken = () => queue.length > 0 || proposals.length > 0;
      if (waitMs === undefined) await condition(woken);
      else if (waitMs > 0) await condition(woken, waitMs, { summary: timerSummary(d!) });
    }
    if (proposals.length > 0) {
      await mailProposal(proposals.shift()!);
      continue;
    }
    // A command accepted before the deadline is carried out before it (a withdrawal at 29d23h59).
    if (queue.length > 0 && (!d || Date.parse(queue[0].at) < Date.parse(d.at))) {
      await carryOut(queue.shift()!);
      continue;
    }
    if (d && Date.now() >= Date.parse(d.at)) {
      if (state.status === 'awaiting_verification') {
        await db(`TND-1: drop call ${id} (e-mail not verified within 48 hours)`).dropTender({ tenderId: id, at: d.at, workflowId });
        Object.assign(state, { status: 'dropped', endedAt: d.at, endedBy: 'system' });
      } else {
        await end('closed', d.at, 'system');
      }
    }
  }
  for (;;) {
    await condition(() => queue.length > 0 || allHandlersFinished());
    if (queue.length === 0) break;
    const item = queue.shift()!;
    item.error = ApplicationFailure.nonRetryable(`the call for tenders is ${label(state.status)}`, 'TenderEnded');
    item.done = true;
  }
  publish(null);
  return state;

  // --- steps ---------------------------------------------------------------------------------
  async function carryOut(item: Queued): Promise<void> {
    try {
      if (item.cmd.kind === 'verified') {
        if (state.status !== 'awaiting_verification') refuse(`the call for tenders is ${label(state.status)}`, 'TenderEnded');
        await open(item.at, 'contact');
        item.done = true;
        await announce();
      } else {
        if (state.status !== 'open') refuse(`the call for tenders is ${label(state.status)}`, 'TenderEnded');
        await end('withdrawn', item.at, item.cmd.c.by);
      }
    } catch (err) {
      item.error = err;
    } finally {
      item.done = true;
    }
  }

  async function open(at: string, actor: string): Promise<void> {
    const opened = await db(`TND-1: open call ${id}`).openTender({ tenderId: id, at, actor, workflowId });
    Object.assign(state, { status: 'open', openedAt: opened.openedAt, closesAt: opened.closesAt });
    publish(nextDeadline());
    await tell('opened');
  }

  /** TND-1: the excerpt to each approved partner opted in to the category, one e-mail each. */
  async function announce(): Promise<void> {
    const partners = await db(`TND-1: the partners opted in to ${label(input.category)}`).tenderPartners({ tenderId: id });
    for (const partnerId of partners) {
      await sendEmail({ rule: 'TND-1', what: `excerpt of call ${id} to partner ${partnerId}` }, (a) =>
        a.composeTenderEmail({ tenderId: id, kind: 'excerpt', partnerId, key: `tnd:${id}:excerpt:${partnerId}` }),
      );
    }
    state.partnersAnnounced = partners.length;
  }

  async function end(status: 'withdrawn' | 'closed', at: string, by: string): Promise<void> {
    const ended = await db(`TND-1: ${status === 'closed' ? 'close call ' + id + ' (30 days open)' : 'withdraw call ' + id}`).endTender({ tenderId: id, status, at, actor: by, workflowId });
    Object.assign(state, { status: ended.status, endedAt: ended.endedAt, endedBy: by });
    // ACC-3: the account is closed and its contact's address erased: nothing is e-mailed to it,
    // neither the end nor the proposals not yet forwarded.
    if (by === TENDER_CLOSED_ACCOUNT) return;
    await tell(status);
    // A proposal written just before the end whose signal came too late is e-mailed all the same.
    for (const proposalId of [...proposals, ...ended.proposalIds.filter((p) => !proposals.includes(p))]) {
      if (!state.proposalsMailed.includes(proposalId)) await mailProposal(proposalId);
    }
    proposals.length = 0;
  }

  async function mailProposal(proposalId: string): Promise<void> {
    await sendEmail({ rule: 'TND-1', what: `proposal ${proposalId} for call ${id}` }, (a) =>
      a.composeTenderEmail({ tenderId: id, kind: 'proposal', proposalId, key: `tnd:${id}:proposal:${proposalId}` }),
    );
    state.proposalsMailed.push(proposalId);
  }

  /** Awaiting its e-mail: the 48-hour drop; open: the 30-day close (house rules). */
  function nextDeadline(): Deadline | null {
    if (state.status === 'awaiting_verification' && state.verifyBy) return { rule: 'TND-1', what: `the contact must verify its e-mail (else call ${id} is dropped)`, at: state.verifyBy };
    if (state.status === 'open' && state.closesAt) return { rule: 'TND-1', what: `call ${id} closes (30 days open)`, word: 'on', at: state.closesAt };
    return null;
  }

  async function tell(kind: TenderEmailKind): Promise<void> {
    await sendEmail({ rule: 'TND-1', what: `call ${id} ${kind}` }, (a) => a.composeTenderEmail({ tenderId: id, kind, key: `tnd:${id}:${kind}` }));
  }

  function publish(d: Deadline | null): void {
    upsertSearchAttributes([
      { key: BusinessStatusKey, value: state.status },
      { key: DueAtKey, value: d ? new Date(d.at) : null },
    ]);
    const facts = [`posted ${localTime(state.createdAt)}`, `category ${label(input.category)}`];
    if (state.openedAt) facts.push(`opened ${localTime(state.openedAt)}, announced to ${state.partnersAnnounced} partner(s)`);
    if (state.proposalsMailed.length > 0) facts.push(`${state.proposalsMailed.length} proposal(s) e-mailed to the contact`);
    if (state.endedAt) facts.push(`${label(state.status)} ${localTime(state.endedAt)}${state.endedBy ? ` by ${state.endedBy}` : ''}`);
    const awaiting = state.status === 'awaiting_verification' ? 'the verification code, from the contact' : state.status === 'open' ? 'proposals, from partners; or a withdrawal, from the contact' : null;
    setCurrentDetails(currentDetails({ title: `Call for tenders ${id}`, state: `${label(state.status)} (TND-1)`, deadline: d, awaiting, facts }));
  }
}
