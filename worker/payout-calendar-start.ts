// PYO-1: every worker makes sure the one PayoutCalendar workflow runs (started once; a start when
// it runs already is a no-op), so no operator step is needed for payouts to happen.
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { PAYOUT_CALENDAR_WORKFLOW_ID, payoutCalendarWorkflow } from '../workflows/payout-calendar';

export async function ensurePayoutCalendar(p: { connection: NativeConnection; namespace: string; taskQueue: string; dataConverter: DataConverter }): Promise<void> {
  const client = new Client({ connection: p.connection, namespace: p.namespace, dataConverter: p.dataConverter });
  await client.workflow.start(payoutCalendarWorkflow, {
    workflowId: PAYOUT_CALENDAR_WORKFLOW_ID,
    taskQueue: p.taskQueue,
    args: [{}],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: 'Payout calendar (PYO-1): payouts on the 15th and the 30th',
  });
}
