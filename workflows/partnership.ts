// Partnership:<customerId>:<partnerId> — a customer and an approved partner, from the invitation
// to the end (PRT-2, PRT-3, PRT-5, PRT-7). Reads top to bottom: the invitee is e-mailed; until it
// accepts or refuses the invitation is pending (the inviter may resend it, the lapse date
// unchanged, or withdraw it); unanswered, the invitee is reminded at day 7 and it lapses at day 14
// (house rules, Paris calendar days, durable timers). Accepted, it is in force until either side
// ends it (asked, confirmed, then an e-mailed one-time code: the code stays in the database, the
// workflow sees its id only) or the account closes (signal `accountClosed`). Meanwhile the
// customer alone changes the access, the products or the payer (the partner is e-mailed on a payer
// change). Commands are Updates queued to one loop; the Partnership row is the read model.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { grantProblem, invitationDeadlines, isLive, normalGrant, otherSide, payerAfter, type EndedBy, type Grant, type PartnershipStatus, type Payer, type Side } from '../domain/partnership';
import type { PartnershipEmailKind } from '../activities/partnerships';
import { db } from './activity-options';
import { currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { BusinessStatusKey, CustomerIdKey, DueAtKey } from './search-attributes';
import { emailSummary } from './summaries';

export interface PartnershipInput {
  partnershipId: string;
  customerId: string;
  partnerId: string;
  /** The partner's company name, for what staff read (no person, no address). */
  companyName: string;
  requestedBy: Side;
  requested: Grant;
  invitedAt: string;
  /** Set by continue-as-new: the state carried on. */
  resume?: PartnershipState;
}

export interface EndRequest {
  step: 'requested' | 'confirmed';
  /** 1, 2, …: each confirmation draws a new code. */
  request: number;
  codeId: string | null;
}

export interface PartnershipState {
  partnershipId: string;
  customerId: string;
  partnerId: string;
  status: PartnershipStatus;
  requestedBy: Side;
  requested: Grant;
  /** In force once accepted. */
  grant: Grant | null;
  payer: Payer;
  invitedAt: string;
  remindAt: string;
  remindedAt: string | null;
  lapsesAt: string;
  resends: number;
  respondedAt: string | null;
  changes: number;
  endRequests: { customer: EndRequest | null; partner: EndRequest | null };
  endedAt: string | null;
  endedBy: EndedBy | null;
}

export interface Accept {
  by: Side;
  /** The customer, accepting, may grant other access or products than requested (PRT-2). */
  grant?: Grant;
}
export interface ByParty {
  by: Side;
}
export interface Change {
  grant?: Grant;
  payer?: Payer;
}
export interface EndWithCode {
  by: Side;
  codeId: string;
}

export const partnershipStateQuery = defineQuery<PartnershipState>('partnershipState');
export const acceptInvitationUpdate = defineUpdate<PartnershipState, [Accept]>('acceptInvitation');
export const refuseInvitationUpdate = defineUpdate<PartnershipState, [ByParty]>('refuseInvitation');
export const resendInvitationUpdate = defineUpdate<PartnershipState, [ByParty]>('resendInvitation');
export const withdrawInvitationUpdate = defineUpdate<PartnershipState, [ByParty]>('withdrawInvitation');
export const changePartnershipUpdate = defineUpdate<PartnershipState, [Change]>('changePartnership');
export const requestEndUpdate = defineUpdate<PartnershipState, [ByParty]>('requestEnd');
export const confirmEndUpdate = defineUpdate<PartnershipState, [ByParty]>('confirmEnd');
export const endWithCodeUpdate = defineUpdate<PartnershipState, [EndWithCode]>('endWithCode');
/** ACC-3 (contract with the account closure): a live partnership ends at once, endedBy 'account_closed'. */
export const accountClosed = defineSignal('accountClosed');

/** "Partnership psh_… · Acme Partners SAS" (staff read it in the workflow list). */
export function partnershipSummary(p: { partnershipId: string; companyName: string }): string {
  return `Partnership ${p.partnershipId} · ${p.companyName}`;
}

type Command =
  | { kind: 'accept'; c: Accept }
  | { kind: 'refuse'; c: ByParty }
  | { kind: 'resend'; c: ByParty }
  | { kind: 'withdraw'; c: ByParty }
  | { kind: 'change'; c: Change }
  | { kind: 'requestEnd'; c: ByParty }
  | { kind: 'confirmEnd'; c: ByParty }
  | { kind: 'end'; c: EndWithCode };
interface Queued {
  cmd: Command;
  at: string;
  done: boolean;
  error?: unknown;
}

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
const nowIso = () => new Date().toISOString();

export async function partnershipWorkflow(input: PartnershipInput): Promise<PartnershipState> {
  const workflowId = workflowInfo().workflowId;
  const company = input.companyName;
  const id = input.partnershipId;
  const state: PartnershipState = input.resume ?? {
    partnershipId: id, customerId: input.customerId, partnerId: input.partnerId, status: 'pending', requestedBy: input.requestedBy, requested: normalGrant(input.requested),
    grant: null, payer: 'customer', invitedAt: input.invitedAt, ...invitationDeadlines(input.invitedAt), remindedAt: null, resends: 0, respondedAt: null,
    changes: 0, endRequests: { customer: null, partner: null }, endedAt: null, endedBy: null,
  };
  const invitee = otherSide(state.requestedBy);
  const queue: Queued[] = [];
  let closedAccount = false;

  setHandler(partnershipStateQuery, () => state);
  setHandler(accountClosed, () => {
    closedAccount = true;
  });

  const validate = (cmd: Command) => {
    if (!isLive(state.status)) refuse(`the partnership is ${state.status}`, 'PartnershipEnded');
    const pending = state.status === 'pending';
    switch (cmd.kind) {
      case 'accept':
      case 'refuse':
        if (!pending) refuse(`the partnership is ${state.status}: only a pending invitation is answered (PRT-2)`, 'WrongPartnershipState');
        if (cmd.c.by !== invitee) refuse(`the ${invitee} answers this invitation, not its inviter (PRT-2)`, 'NotYourPartnership');
        if (cmd.kind === 'accept' && cmd.c.grant) {
          if (cmd.c.by !== 'customer') refuse('only the customer may grant other access than requested (PRT-2)', 'NotYourPartnership');
          const problem = grantProblem(cmd.c.grant);
          if (problem) refuse(problem, 'InvalidArgument');
        }
        break;
      case 'resend':
      case 'withdraw':
        if (!pending) refuse(`the partnership is ${state.status}: only a pending invitation is ${cmd.kind === 'resend' ? 'resent' : 'withdrawn'} (PRT-2)`, 'WrongPartnershipState');
        if (cmd.c.by !== state.requestedBy) refuse(`only the inviter (the ${state.requestedBy}) may ${cmd.kind} this invitation (PRT-2)`, 'NotYourPartnership');
        break;
      case 'change': {
        if (pending) refuse('the partnership is pending: it changes once accepted (PRT-5)', 'WrongPartnershipState');
        const grant = normalGrant(cmd.c.grant ?? state.grant!);
        const problem = grantProblem(grant);
        if (problem) refuse(problem, 'InvalidArgument');
        if (cmd.c.payer === 'partner' && grant.access !== 'complete') refuse('payer: the partner pays only with complete access (PRT-5)', 'InvalidArgument');
        if (JSON.stringify(grant) === JSON.stringify(state.grant) && payerAfter(grant, cmd.c.payer ?? state.payer) === state.payer) refuse('nothing to change: this is what is in force', 'NothingToChange');
        break;
      }
      case 'requestEnd':
        if (pending) refuse('the partnership is pending: withdraw or refuse the invitation instead (PRT-7)', 'WrongPartnershipState');
        break;
      case 'confirmEnd':
        if (!state.endRequests[cmd.c.by]) refuse('ask to end the partnership first (PRT-7: confirmed twice)', 'NoEndRequested');
        break;
      case 'end': {
        const r = state.endRequests[cmd.c.by];
        if (r?.step !== 'confirmed' || r.codeId !== cmd.c.codeId) refuse('confirm the end first: the code is e-mailed then (PRT-7)', 'NoEndRequested');
        break;
      }
    }
  };
  async function enqueue(cmd: Command): Promise<PartnershipState> {
    const item: Queued = { cmd, at: nowIso(), done: false };
    queue.push(item);
    await condition(() => item.done);
    if (item.error) throw item.error;
    return state;
  }
  setHandler(acceptInvitationUpdate, (c) => enqueue({ kind: 'accept', c }), { validator: (c) => validate({ kind: 'accept', c }) });
  setHandler(refuseInvitationUpdate, (c) => enqueue({ kind: 'refuse', c }), { validator: (c) => validate({ kind: 'refuse', c }) });
  setHandler(resendInvitationUpdate, (c) => enqueue({ kind: 'resend', c }), { validator: (c) => validate({ kind: 'resend', c }) });
  setHandler(withdrawInvitationUpdate, (c) => enqueue({ kind: 'withdraw', c }), { validator: (c) => validate({ kind: 'withdraw', c }) });
  setHandler(changePartnershipUpdate, (c) => enqueue({ kind: 'change', c }), { validator: (c) => validate({ kind: 'change', c }) });
  setHandler(requestEndUpdate, (c) => enqueue({ kind: 'requestEnd', c }), { validator: (c) => validate({ kind: 'requestEnd', c }) });
  setHandler(confirmEndUpdate, (c) => enqueue({ kind: 'confirmEnd', c }), { validator: (c) => validate({ kind: 'confirmEnd', c }) });
  setHandler(endWithCodeUpdate, (c) => enqueue({ kind: 'end', c }), { validator: (c) => validate({ kind: 'end', c }) });

  // --- run -----------------------------------------------------------------------------------
  if (!input.resume) {
    upsertSearchAttributes([{ key: CustomerIdKey, value: state.customerId }]);
    await tell('invitation', invitee, 'invitation:0');
  }
  while (isLive(state.status)) {
    const d = nextDeadline();
    publish(d);
    if (queue.length === 0 && !closedAccount) {
      const waitMs = d ? Date.parse(d.at) - Date.now() : undefined;
      if (waitMs === undefined) await condition(() => queue.length > 0 || closedAccount);
      else if (waitMs > 0) await condition(() => queue.length > 0 || closedAccount, waitMs, { summary: timerSummary(d!) });
    }
    if (closedAccount) {
      await db(`ACC-3: end partnership ${id} with ${company} (account closed)`).endPartnership({ partnershipId: id, by: 'account_closed', codeId: null, at: nowIso(), workflowId });
      Object.assign(state, { status: 'ended', endedAt: nowIso(), endedBy: 'account_closed' });
      break;
    }
    // A command accepted before the deadline is carried out before it (an acceptance at 13d23h59).
    if (queue.length > 0 && (!d || Date.parse(queue[0].at) < Date.parse(d.at))) {
      await carryOut(queue.shift()!);
      if (state.status === 'active' && queue.length === 0 && workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        if (queue.length === 0) await continueAsNew<typeof partnershipWorkflow>({ ...input, resume: state });
      }
      continue;
    }
    if (d && Date.now() >= Date.parse(d.at)) {
      if (state.remindedAt === null && d.at === state.remindAt) {
        state.remindedAt = nowIso();
        await tell('reminder', invitee, 'reminder');
      } else {
        await db(`PRT-2: lapse the invitation of ${company} (14 days unanswered)`).closeInvitation({ partnershipId: id, status: 'lapsed', by: 'system', at: d.at, workflowId });
        Object.assign(state, { status: 'lapsed', respondedAt: d.at });
        await tell('lapsed', state.requestedBy, 'lapsed');
      }
    }
  }
  for (;;) {
    await condition(() => queue.length > 0 || allHandlersFinished());
    if (queue.length === 0) break;
    const item = queue.shift()!;
    item.error = ApplicationFailure.nonRetryable(`the partnership is ${state.status}`, 'PartnershipEnded');
    item.done = true;
  }
  publish(null);
  return state;

  // --- steps ---------------------------------------------------------------------------------
  async function carryOut(item: Queued): Promise<void> {
    try {
      validate(item.cmd); // the state may have moved since the validator accepted it
      const { cmd, at } = item;
      switch (cmd.kind) {
        case 'accept': {
          const grant = normalGrant(cmd.c.grant ?? state.requested);
          await db(`PRT-2, PRT-3: activate partnership ${id} with ${company} (${grant.access})`).activatePartnership({ partnershipId: id, grant, by: cmd.c.by, at, workflowId });
          Object.assign(state, { status: 'active', grant, payer: 'customer', respondedAt: at });
          await tell('accepted', state.requestedBy, 'accepted');
          break;
        }
        case 'refuse':
        case 'withdraw': {
          const status = cmd.kind === 'refuse' ? 'refused' : 'withdrawn';
          await db(`PRT-2: invitation of ${company} ${status}`).closeInvitation({ partnershipId: id, status, by: cmd.c.by, at, workflowId });
          Object.assign(state, { status, respondedAt: at });
          await tell(status, cmd.kind === 'refuse' ? state.requestedBy : invitee, status);
          break;
        }
        case 'resend':
          state.resends += 1;
          await db(`PRT-2: invitation of ${company} resent (${state.resends})`).notePartnershipEvent({ partnershipId: id, event: `resent:${state.resends}`, actor: cmd.c.by, at, workflowId });
          await tell('invitation', invitee, `invitation:${state.resends}`);
          break;
        case 'change': {
          const change = state.changes + 1;
          const r = await db(`PRT-5, PRT-3: change ${change} of partnership ${id} with ${company}`).changePartnership({
            partnershipId: id, change, grant: cmd.c.grant ?? state.grant!, payer: cmd.c.payer ?? state.payer, at, workflowId,
          });
          Object.assign(state, { changes: change, grant: r.grant, payer: r.payer });
          if (r.payerChanged) await tell('payer_changed', 'partner', `payer:${change}`);
          break;
        }
        case 'requestEnd': {
          const previous = state.endRequests[cmd.c.by]?.request ?? 0;
          state.endRequests[cmd.c.by] = { step: 'requested', request: previous + 1, codeId: null };
          await db(`PRT-7: the ${cmd.c.by} asks to end partnership ${id}`).notePartnershipEvent({ partnershipId: id, event: `end-requested:${cmd.c.by}:${previous + 1}`, actor: cmd.c.by, at, workflowId });
          break;
        }
        case 'confirmEnd': {
          const r = state.endRequests[cmd.c.by]!;
          const request = r.step === 'confirmed' ? r.request + 1 : r.request;
          const { codeId, emailId } = await db(`PRT-7: the ${cmd.c.by} confirmed: e-mail its one-time code (partnership ${id})`).issueEndCode({ partnershipId: id, side: cmd.c.by, request, workflowId });
          state.endRequests[cmd.c.by] = { step: 'confirmed', request, codeId };
          await db(`X-9: hand the e-mail to its delivery: end code of partnership ${id}`).dispatchEmail(emailId, emailSummary(`end code of partnership ${id}`));
          break;
        }
        case 'end':
          await db(`PRT-7: the ${cmd.c.by} ends partnership ${id} with ${company}`).endPartnership({ partnershipId: id, by: cmd.c.by, codeId: cmd.c.codeId, at, workflowId });
          Object.assign(state, { status: 'ended', endedAt: at, endedBy: cmd.c.by });
          await tell('ended', otherSide(cmd.c.by), 'ended');
          break;
      }
    } catch (err) {
      // An activity's refusal (PRT-3 in the way) reaches the caller as the refusal itself.
      item.error = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? ApplicationFailure.create({ message: err.cause.message, type: err.cause.type ?? undefined, nonRetryable: true, details: err.cause.details as unknown[] }) : err;
    } finally {
      item.done = true;
    }
  }

  /** While pending: the day-7 reminder, then the day-14 lapse (house rules). */
  function nextDeadline(): Deadline | null {
    if (state.status !== 'pending') return null;
    if (state.remindedAt === null) return { rule: 'PRT-2', what: `remind the ${invitee} of the invitation`, word: 'on', at: state.remindAt };
    return { rule: 'PRT-2', what: `the ${invitee} must answer (else the invitation lapses)`, at: state.lapsesAt };
  }

  async function tell(kind: PartnershipEmailKind, to: Side, key: string): Promise<void> {
    const what = `partnership ${kind.replace('_', ' ')} (${id}, ${company})`;
    const emailIds = await db(`PRT-2: record the e-mail to the ${to}: ${what}`).composePartnershipEmails({ partnershipId: id, kind, to, key: `psh:${id}:${key}` });
    for (const emailId of emailIds) await db(`X-9: hand the e-mail to its delivery: ${what}`).dispatchEmail(emailId, emailSummary(what));
  }

  function publish(d: Deadline | null): void {
    upsertSearchAttributes([
      { key: BusinessStatusKey, value: state.status },
      { key: DueAtKey, value: d ? new Date(d.at) : null },
    ]);
    const facts = [`invited by the ${state.requestedBy} ${localTime(state.invitedAt)}: ${state.requested.access}${state.requested.productIds.length ? ` (${state.requested.productIds.join(', ')})` : ''}`];
    if (state.resends > 0) facts.push(`resent ${state.resends} time(s); the lapse date stays`);
    if (state.grant) facts.push(`in force: ${state.grant.access}${state.grant.productIds.length ? ` (${state.grant.productIds.join(', ')})` : ''}, paid by the ${state.payer}`);
    for (const side of ['customer', 'partner'] as const) {
      const r = state.endRequests[side];
      if (r && isLive(state.status)) facts.push(`end asked by the ${side}: ${r.step === 'requested' ? 'awaiting its confirmation' : 'code e-mailed, awaiting it'} (PRT-7)`);
    }
    if (state.endedAt) facts.push(`ended by ${(state.endedBy ?? '').replace('_', ' ')} ${localTime(state.endedAt)}`);
    const awaiting = state.status === 'pending' ? `accept or refuse, from the ${invitee}` : state.status === 'active' ? 'changes from the customer, or an end from either side' : null;
    setCurrentDetails(currentDetails({ title: `Partnership ${id} · customer ${state.customerId} · ${company}`, state: `${state.status} (PRT-2)`, deadline: d, awaiting, facts }));
  }
}
