// SellerCase:<caseId> — a case between the marketplace and one seller (MED-1..MED-7).
// Reads top to bottom. A closure case (MED-1): the seller is suspended and notified (e-mail and
// postal letter); without a written contest within 48 hours the account is closed (MED-2); after
// a contest, ops schedule a meeting and invite the seller, who confirms within 48 hours, or the
// account is closed 48 hours later — as it is 48 hours after a meeting the seller missed (MED-3);
// after the meeting the seller has 8 days to make the changes asked, and ops' confirmation ends
// the case with the seller active again, its absence closes the account (MED-4). A seller's own
// closure request (MED-6) or complaint (MED-7) goes straight to the meeting; unconfirmed or
// missed, it lapses; held, ops record the reasons (the account closes) or the agreed outcome.
// Each deadline is a named durable timer; commands are Updates queued to the main loop.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  executeChild,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { CLOSE_AFTER_HOURS, CONFIRM_HOURS, CONTEST_HOURS, REMEDIATION_DAYS, isCaseEnded, plusHours, type CaseKind, type CaseStatus } from '../domain/seller-case';
import { plusDaysIn } from '../domain/support';
import type { SellerCaseEmailKind } from '../activities/seller-cases';
import { db } from './activity-options';
import { BUSINESS_TIME_ZONE, currentDetails, localTime, timerSummary, type Deadline } from './current-details';
import { sendEmail } from './email-delivery';
import { BusinessStatusKey, DueAtKey, SellerIdKey } from './search-attributes';
import { sellerClosureWorkflow, sellerClosureWorkflowId } from './seller-closure';
import { sellerClosureSummary } from './summaries';

export interface SellerCaseInput {
  caseId: string;
  sellerId: string;
  /** The seller's name, for what staff read (no address). */
  sellerName: string;
  kind: CaseKind;
  /** Who opened it: `staff:<label>` (closure) or `seller:<id>` (request, complaint). */
  openedBy: string;
  /** The reasons (closure), request or complaint text, stored by the API: its message id. */
  messageId: string;
  /** MED-1: the reference of the postal letter sent with the notice (closure cases). */
  letterReference?: string;
}

export interface CaseDeadline { rule: string; what: string; at: string }

export interface SellerCaseState {
  caseId: string;
  sellerId: string;
  kind: CaseKind;
  status: CaseStatus;
  openedAt: string;
  openedBy: string;
  /** MED-1: when the seller was notified, and the postal letter's reference. */
  notice: { at: string; letterReference: string | null } | null;
  contest: { at: string; messageId: string } | null;
  meeting: { at: string; place: string; invitedAt: string; confirmBy: string; confirmedAt: string | null; held: boolean | null; endedAt: string | null; recordedAt: string | null } | null;
  remediation: { dueAt: string; confirmedAt: string | null } | null;
  /** MED-3: when the account closes after a missed confirmation or meeting. */
  closesAt: string | null;
  nextDeadline: CaseDeadline | null;
  outcome: string | null;
  closedAt: string | null;
}

export interface Contest { sellerId: string; messageId: string }
export interface ScheduleMeeting { staff: string; at: string; place: string }
export interface ConfirmMeeting { sellerId: string }
/** `notesId`: ops' record of the meeting (MED-6: the seller's reasons; MED-7: the agreed outcome). */
export interface RecordMeeting { staff: string; held: boolean; endedAt?: string; notesId?: string }
export interface ConfirmChanges { staff: string }
export interface WithdrawCase { staff: string; reason: string }

export const sellerCaseStateQuery = defineQuery<SellerCaseState>('sellerCaseState');
export const caseOpenedUpdate = defineUpdate<SellerCaseState, []>('caseOpened');
export const contestUpdate = defineUpdate<SellerCaseState, [Contest]>('contestClosure');
export const scheduleMeetingUpdate = defineUpdate<SellerCaseState, [ScheduleMeeting]>('scheduleMeeting');
export const confirmMeetingUpdate = defineUpdate<SellerCaseState, [ConfirmMeeting]>('confirmMeeting');
export const recordMeetingUpdate = defineUpdate<SellerCaseState, [RecordMeeting]>('recordMeeting');
export const confirmChangesUpdate = defineUpdate<SellerCaseState, [ConfirmChanges]>('confirmChanges');
export const withdrawCaseUpdate = defineUpdate<SellerCaseState, [WithdrawCase]>('withdrawCase');

export function sellerCaseWorkflowId(caseId: string): string {
  return `SellerCase:${caseId}`;
}

type Command =
  | { kind: 'contest'; c: Contest }
  | { kind: 'schedule'; c: ScheduleMeeting }
  | { kind: 'confirm'; c: ConfirmMeeting }
  | { kind: 'record'; c: RecordMeeting }
  | { kind: 'changes'; c: ConfirmChanges }
  | { kind: 'withdraw'; c: WithdrawCase };

interface Queued { cmd: Command; at: string; done: boolean; error?: unknown }
type Wake = { deadline: Deadline; run: () => Promise<void> };

const refuse = (message: string, type: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
const nowIso = () => new Date().toISOString();

export async function sellerCaseWorkflow(input: SellerCaseInput): Promise<SellerCaseState> {
  const workflowId = workflowInfo().workflowId;
  const zone = BUSINESS_TIME_ZONE;
  const seller = `seller ${input.sellerName}`;
  const state: SellerCaseState = {
    caseId: input.caseId,
    sellerId: input.sellerId,
    kind: input.kind,
    status: input.kind === 'closure' ? 'awaiting_contest' : 'awaiting_meeting',
    openedAt: nowIso(),
    openedBy: input.openedBy,
    notice: null,
    contest: null,
    meeting: null,
    remediation: null,
    closesAt: null,
    nextDeadline: null,
    outcome: null,
    closedAt: null,
  };
  const queue: Queued[] = [];
  let ready = false;

  // --- setup: commands and state -----------------------------------------------------------
  // The deadline is worked out from the state at each read: a Query between a change and the
  // loop's next publish must not show the deadline of the state before.
  const view = (): SellerCaseState => {
    const wake = isCaseEnded(state.status) ? null : nextWake();
    state.nextDeadline = wake ? { rule: wake.deadline.rule, what: wake.deadline.what, at: wake.deadline.at } : null;
    return state;
  };
  setHandler(sellerCaseStateQuery, view);
  setHandler(caseOpenedUpdate, async () => {
    await condition(() => ready);
    return view();
  });
  const theSeller = (sellerId: string) => {
    if (sellerId !== state.sellerId) refuse('this case is about another seller', 'NotYourCase');
  };
  const inStatus = (...allowed: CaseStatus[]) => {
    if (!allowed.includes(state.status)) refuse(`the case is ${state.status.replace(/_/g, ' ')}: this needs it ${allowed.map((s) => s.replace(/_/g, ' ')).join(' or ')}`, 'WrongCaseState');
  };
  /** A deadline is over at its instant: a command at 48h00 is late (the timer decides). */
  const passed = (deadline: string, what: string) => {
    if (Date.now() >= Date.parse(deadline)) refuse(`${what} ended on ${localTime(deadline)}`, 'DeadlinePassed');
  };
  const validators: { [K in Command['kind']]: (c: Extract<Command, { kind: K }>['c']) => void } = {
    contest: (c) => {
      theSeller(c.sellerId);
      if (state.kind !== 'closure') refuse('only a closure case is contested (MED-2)', 'WrongCaseState');
      inStatus('awaiting_contest');
      passed(plusHours(state.notice!.at, CONTEST_HOURS), 'the 48 hours to contest (MED-2)');
    },
    schedule: (c) => {
      inStatus('awaiting_meeting');
      if (!(Date.parse(c.at) > Date.now())) refuse('the meeting must be in the future', 'InvalidArgument');
    },
    confirm: (c) => {
      theSeller(c.sellerId);
      inStatus('awaiting_confirmation');
      passed(state.meeting!.confirmBy, 'the 48 hours to confirm the meeting (MED-3)');
    },
    record: (c) => {
      inStatus('meeting_confirmed');
      if (Date.now() < Date.parse(state.meeting!.at)) refuse(`the meeting is on ${localTime(state.meeting!.at)}: record it once it has taken place`, 'WrongCaseState');
      if (c.held) {
        const end = Date.parse(c.endedAt ?? '');
        if (!(end >= Date.parse(state.meeting!.at) && end <= Date.now())) refuse('endedAt: when the meeting ended, between its start and now', 'InvalidArgument');
        if (state.kind !== 'closure' && !c.notesId) refuse(state.kind === 'complaint' ? 'the agreed outcome is required (MED-7)' : "the seller's reasons are required (MED-6)", 'InvalidArgument');
      }
    },
    changes: () => {
      inStatus('remediation');
      passed(state.remediation!.dueAt, 'the 8 days to make the changes (MED-4)');
    },
    withdraw: () => undefined,
  };
  const validate = (cmd: Command) => {
    if (!ready) refuse('the case is opening: retry in a moment', 'NotReady');
    if (isCaseEnded(state.status)) refuse(`the case has ended (${state.status.replace(/_/g, ' ')})`, 'CaseEnded');
    (validators[cmd.kind] as (c: unknown) => void)(cmd.c);
  };
  async function enqueue(cmd: Command): Promise<SellerCaseState> {
    const item: Queued = { cmd, at: nowIso(), done: false };
    queue.push(item);
    await condition(() => item.done);
    if (item.error) throw item.error;
    return view();
  }
  const on = <A>(def: ReturnType<typeof defineUpdate<SellerCaseState, [A]>>, toCmd: (a: A) => Command) =>
    setHandler(def, (a: A) => enqueue(toCmd(a)), { validator: (a: A) => validate(toCmd(a)) });
  on(contestUpdate, (c) => ({ kind: 'contest', c }));
  on(scheduleMeetingUpdate, (c) => ({ kind: 'schedule', c }));
  on(confirmMeetingUpdate, (c) => ({ kind: 'confirm', c }));
  on(recordMeetingUpdate, (c) => ({ kind: 'record', c }));
  on(confirmChangesUpdate, (c) => ({ kind: 'changes', c }));
  on(withdrawCaseUpdate, (c) => ({ kind: 'withdraw', c }));

  // What each command does, carried out by the main loop one at a time, as of its acceptance.
  const handlers: { [K in Command['kind']]: (c: Extract<Command, { kind: K }>['c'], at: string) => Promise<void> } = {
    async contest(c, at) {
      state.contest = { at, messageId: c.messageId };
      state.status = 'awaiting_meeting';
      await record('contested', `seller:${c.sellerId}`, { messageId: c.messageId });
      await tellSeller('contest_received', 'MED-3');
    },
    async schedule(c, at) {
      state.meeting = { at: c.at, place: c.place, invitedAt: at, confirmBy: plusHours(at, CONFIRM_HOURS), confirmedAt: null, held: null, endedAt: null, recordedAt: null };
      state.status = 'awaiting_confirmation';
      await record('meeting_scheduled', c.staff, { meetingAt: c.at });
      await tellSeller('invitation', 'MED-3');
    },
    async confirm(c, at) {
      state.meeting!.confirmedAt = at;
      state.status = 'meeting_confirmed';
      await record('meeting_confirmed', `seller:${c.sellerId}`, {});
    },
    async record(c, at) {
      const meeting = state.meeting!;
      meeting.held = c.held;
      meeting.recordedAt = at;
      if (!c.held) {
        await record('seller_absent', c.staff, {});
        return missed(meeting.at, 'the seller was absent from the meeting');
      }
      meeting.endedAt = c.endedAt!;
      if (state.kind === 'closure') {
        state.remediation = { dueAt: plusDaysIn(meeting.endedAt, REMEDIATION_DAYS, zone), confirmedAt: null };
        state.status = 'remediation';
        await record('meeting_held', c.staff, { endedAt: meeting.endedAt, remediationDueAt: state.remediation.dueAt });
        await tellSeller('remediation', 'MED-4');
      } else if (state.kind === 'closure_request') {
        await record('meeting_held', c.staff, { endedAt: meeting.endedAt, notesId: c.notesId });
        await closeAccount(at, "closed at the seller's request, its reasons recorded at the meeting (MED-6)");
      } else {
        await record('meeting_held', c.staff, { endedAt: meeting.endedAt, notesId: c.notesId });
        await end(at, 'resolved', 'complaint resolved: the agreed outcome is recorded (MED-7)');
        await tellSeller('resolved', 'MED-7');
      }
    },
    async changes(c, at) {
      state.remediation!.confirmedAt = at;
      await record('changes_confirmed', c.staff, {});
      await db(`MED-4: make seller ${input.sellerName} active again`).reinstateSeller({ sellerId: state.sellerId, caseId: state.caseId, at, workflowId });
      await end(at, 'resolved', 'the changes asked were confirmed by ops: the seller is active again (MED-4)');
      await tellSeller('reinstated', 'MED-4');
    },
    async withdraw(c, at) {
      await record('withdrawn', c.staff, { reason: c.reason });
      if (state.kind === 'closure') await db(`MED-1: make seller ${input.sellerName} active again (case withdrawn)`).reinstateSeller({ sellerId: state.sellerId, caseId: state.caseId, at, workflowId });
      await end(at, 'withdrawn', `withdrawn by ops: ${c.reason}`);
      await tellSeller('withdrawn', 'MED-1');
    },
  };

  // --- run: the process ----------------------------------------------------------------------
  const openedBy = input.openedBy;
  await db(`X-4: record the case of ${seller}`).recordSellerCase({ caseId: state.caseId, workflowId, event: 'opened', actor: openedBy, at: state.openedAt, snapshot: snapshot(), data: { kind: state.kind } });
  if (state.kind === 'closure') {
    // MED-1: suspended at once (its offers take no new orders), notified by e-mail and letter.
    await db(`MED-1: suspend ${seller} (closure case ${state.caseId})`).suspendSeller({ sellerId: state.sellerId, caseId: state.caseId, at: state.openedAt, workflowId });
    state.notice = { at: state.openedAt, letterReference: input.letterReference ?? null };
    await record('notified', openedBy, { letterReference: input.letterReference ?? null });
    await tellSeller('notice', 'MED-1');
  } else {
    await tellSeller('request_received', state.kind === 'complaint' ? 'MED-7' : 'MED-6');
  }
  ready = true;

  while (!isCaseEnded(state.status)) {
    const wake = nextWake();
    publish(wake);
    if (queue.length === 0) {
      const waitMs = wake ? Date.parse(wake.deadline.at) - Date.now() : undefined;
      if (waitMs === undefined) await condition(() => queue.length > 0);
      else if (waitMs > 0) await condition(() => queue.length > 0, waitMs, { summary: timerSummary(wake!.deadline) });
    }
    if (queue.length > 0) {
      // A command accepted before the deadline is carried out before it (a contest at 47h59).
      const item = queue[0];
      if (!wake || Date.parse(item.at) < Date.parse(wake.deadline.at)) {
        queue.shift();
        await carryOut(item);
        continue;
      }
    }
    if (wake && Date.now() >= Date.parse(wake.deadline.at)) await wake.run();
  }
  for (;;) {
    await condition(() => queue.length > 0 || allHandlersFinished());
    if (queue.length === 0) break;
    const item = queue.shift()!;
    item.error = ApplicationFailure.nonRetryable(`the case has ended (${state.status.replace(/_/g, ' ')})`, 'CaseEnded');
    item.done = true;
  }
  publish(null);
  return view();

  // --- steps ---------------------------------------------------------------------------------
  async function carryOut(item: Queued): Promise<void> {
    try {
      if (isCaseEnded(state.status)) refuse(`the case has ended (${state.status.replace(/_/g, ' ')})`, 'CaseEnded');
      await handlers[item.cmd.kind](item.cmd.c as never, item.at);
    } catch (err) {
      item.error = err;
    } finally {
      item.done = true;
    }
  }

  /** The next deadline, as a named durable timer with its rule (MED-2, MED-3, MED-4). */
  function nextWake(): Wake | null {
    switch (state.status) {
      case 'awaiting_contest': {
        if (!state.notice) return null; // the notice is not out yet: its 48 hours have not begun
        const at = plusHours(state.notice!.at, CONTEST_HOURS);
        return { deadline: { rule: 'MED-2', what: `${seller} may contest in writing (else the account closes)`, at }, run: () => closeAccount(at, 'no written contest within 48 hours of the notice (MED-2)') };
      }
      case 'awaiting_confirmation': {
        const at = state.meeting!.confirmBy;
        return { deadline: { rule: state.kind === 'closure' ? 'MED-3' : state.kind === 'complaint' ? 'MED-7' : 'MED-6', what: `${seller} must confirm the meeting`, at }, run: () => missed(at, 'the seller did not confirm the meeting within 48 hours') };
      }
      case 'closing': {
        const at = state.closesAt!;
        return { deadline: { rule: 'MED-3', what: 'the account closes', word: 'on', at }, run: () => closeAccount(at, `${state.outcome ?? 'the meeting did not take place'}: the account closes 48 hours later (MED-3)`) };
      }
      case 'remediation': {
        const at = state.remediation!.dueAt;
        return { deadline: { rule: 'MED-4', what: `${seller}'s changes must be confirmed by ops (else the account closes)`, at }, run: () => closeAccount(at, 'the changes asked were not confirmed within 8 days of the meeting (MED-4)') };
      }
      default:
        return null;
    }
  }

  /** MED-3 (closure: the account closes 48 hours later), MED-6/MED-7 (the request lapses). */
  async function missed(from: string, why: string): Promise<void> {
    if (state.kind === 'closure') {
      state.closesAt = plusHours(from, CLOSE_AFTER_HOURS);
      state.outcome = why;
      state.status = 'closing';
      await record('closing', 'system', { closesAt: state.closesAt, why });
      await tellSeller('closing', 'MED-3');
      return;
    }
    const rule = state.kind === 'complaint' ? 'MED-7' : 'MED-6';
    await end(nowIso(), 'lapsed', `${why}: ${state.kind === 'complaint' ? 'the complaint lapses' : 'the request lapses and the account stays active'} (${rule})`);
    await tellSeller('lapsed', rule);
  }

  /**
   * MED-5: the account closes (its offers unpublished; the seller told); then every running
   * subscription of its customers ends at its period end, each customer told once, by a child
   * workflow that pages through them (a seller may have thousands).
   */
  async function closeAccount(at: string, why: string): Promise<void> {
    await db(`MED-5: close the account of ${seller}`).closeSellerAccount({ sellerId: state.sellerId, caseId: state.caseId, at, reason: why, workflowId });
    await end(at, 'account_closed', why);
    await tellSeller('closed', 'MED-5');
    const told = await executeChild(sellerClosureWorkflow, {
      workflowId: sellerClosureWorkflowId(state.sellerId),
      args: [{ sellerId: state.sellerId, sellerName: input.sellerName, caseId: state.caseId, closedAt: at }],
      staticSummary: sellerClosureSummary({ sellerName: input.sellerName, caseId: state.caseId }),
      typedSearchAttributes: [{ key: SellerIdKey, value: state.sellerId }],
    });
    await record('subscriptions_ending', 'system', { subscriptions: told.subscriptions, customers: told.customers, emails: told.emails });
  }

  async function end(at: string, status: CaseStatus, outcome: string): Promise<void> {
    state.status = status;
    state.outcome = outcome;
    state.closedAt = at;
    await record(status, 'system', { outcome });
  }

  function snapshot() {
    const wake = isCaseEnded(state.status) ? null : nextWake();
    return { status: state.status, nextDeadlineAt: wake?.deadline.at ?? null, nextDeadlineRule: wake?.deadline.rule ?? null, closedAt: state.closedAt, outcome: state.outcome };
  }

  async function record(event: string, actor: string, data: Record<string, unknown>): Promise<void> {
    await db(`X-4: record the case of ${seller}: ${event.replace(/_/g, ' ')}`).recordSellerCase({ caseId: state.caseId, workflowId, event, actor, at: nowIso(), snapshot: snapshot(), data });
  }

  async function tellSeller(kind: SellerCaseEmailKind, rule: string): Promise<void> {
    await sendEmail({ rule, what: `${kind.replace(/_/g, ' ')} (case ${state.caseId}, ${seller})` }, (a) =>
      a.composeSellerCaseEmail({ caseId: state.caseId, kind, key: `case:${state.caseId}:${kind}`, data: { meetingAt: state.meeting?.at ?? null, place: state.meeting?.place ?? null, confirmBy: state.meeting?.confirmBy ?? null, remediationDueAt: state.remediation?.dueAt ?? null, closesAt: state.closesAt, outcome: state.outcome, letterReference: state.notice?.letterReference ?? null } }),
    );
  }

  function publish(wake: Wake | null): void {
    state.nextDeadline = wake ? { rule: wake.deadline.rule, what: wake.deadline.what, at: wake.deadline.at } : null;
    const attributes: SearchAttributeUpdatePair[] = [
      { key: BusinessStatusKey, value: state.status },
      { key: DueAtKey, value: wake ? new Date(wake.deadline.at) : null },
    ];
    upsertSearchAttributes(attributes);
    const title = `Case ${state.caseId} · ${state.kind.replace(/_/g, ' ')} · ${input.sellerName}`;
    const facts: string[] = [];
    if (state.notice) facts.push(`notified ${localTime(state.notice.at)}${state.notice.letterReference ? `, letter ${state.notice.letterReference}` : ''} (MED-1)`);
    if (state.contest) facts.push(`contested in writing ${localTime(state.contest.at)} (MED-2)`);
    if (state.meeting) facts.push(`meeting ${localTime(state.meeting.at)}${state.meeting.confirmedAt ? ', confirmed' : ''}${state.meeting.held === false ? ', seller absent' : state.meeting.endedAt ? `, ended ${localTime(state.meeting.endedAt)}` : ''}`);
    const awaiting: Partial<Record<CaseStatus, string>> = {
      awaiting_contest: `a written contest, from ${seller}`,
      awaiting_meeting: 'a meeting scheduled, from ops',
      awaiting_confirmation: `the meeting confirmed, from ${seller}`,
      meeting_confirmed: 'the meeting recorded (held or absent), from ops',
      remediation: `the changes, confirmed by ops`,
    };
    setCurrentDetails(currentDetails({ title, state: `${state.status.replace(/_/g, ' ')}${state.outcome ? `: ${state.outcome}` : ''}`, deadline: wake?.deadline ?? null, awaiting: awaiting[state.status] ?? null, facts }));
  }
}
