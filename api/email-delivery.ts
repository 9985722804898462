// Hands a recorded e-mail to its delivery from the API: EmailDelivery:<id> on the task queue;
// an e-mail already handed over keeps its delivery. The summary is what staff read in the Temporal
// UI: no secret, no address.
import { emailDeliveryWorkflow, emailDeliveryWorkflowId } from '../workflows/email-delivery';
import { emailSummary } from '../workflows/summaries';
import type { ApiDeps } from './deps';

export async function startEmailDelivery(deps: Pick<ApiDeps, 'temporal' | 'taskQueue'>, emailId: string, summary: string): Promise<void> {
  await deps.temporal.workflow.start(emailDeliveryWorkflow, {
    workflowId: emailDeliveryWorkflowId(emailId),
    taskQueue: deps.taskQueue,
    args: [emailId],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: emailSummary(summary),
  });
}
