// Recorded workflow histories (test/histories/<scenario>.json) for the replay test.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { projectRoot } from '../../infra/config';

export const historiesDir = path.join(projectRoot, 'test', 'histories');

/** Saves the history of a finished or waiting workflow as `<scenario>.json`. */
export async function saveHistory(client: Client, workflowId: string, scenario: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = path.join(historiesDir, `${scenario}.json`);
  writeFileSync(file, JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) }, null, 1) + '\n');
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
