// Recorded workflow histories (test/histories/<scenario>.json) for the replay test.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { projectRoot } from '../../infra/config';

export const historiesDir = path.join(projectRoot, 'test', 'histories');

/**
 * Saves the history of a finished or waiting workflow run (the latest by default) as
 * `<scenario>.json`, or `<scenario>@<HISTORY_TAG>.json` when HISTORY_TAG is set: recording after a
 * change of workflow code with a tag keeps the histories of the code before it.
 */
export async function saveHistory(client: Client, workflowId: string, scenario: string, runId?: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const tag = process.env.HISTORY_TAG;
  const file = path.join(historiesDir, `${scenario}${tag ? `@${tag}` : ''}.json`);
  writeFileSync(file, JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1) + '\n');
}

/** Saves every run of a workflow that continues as new, from its first run: `<scenario>--run-<n>.json`. */
export async function saveAllRuns(client: Client, workflowId: string, firstRunId: string, scenario: string): Promise<number> {
  let runId: string | undefined = firstRunId;
  let n = 0;
  while (runId) {
    n += 1;
    await saveHistory(client, workflowId, `${scenario}--run-${n}`, runId);
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return n;
}

export function loadHistories(): { scenario: string; workflowId: string; history: unknown }[] {
  return readdirSync(historiesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const { workflowId, history } = JSON.parse(readFileSync(path.join(historiesDir, f), 'utf8'));
      return { scenario: f.replace(/\.json$/, ''), workflowId, history };
    });
}
