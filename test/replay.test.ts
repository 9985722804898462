// Replays the recorded histories of every workflow (test/histories/, written by
// `npm run record-histories`) against the current workflow code: a change that is not
// replay-safe fails here. Change workflow code with patched() (README, "Changing workflows").
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import * as workflows from '../workflows';
import { loadHistories } from './support/histories';
import { workflowBundle } from './support/system';

describe('replay of recorded histories', () => {
  const histories = loadHistories();

  it('covers every workflow the worker registers', () => {
    const types = new Set(histories.map((h) => (h.history as { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] }).events[0].workflowExecutionStartedEventAttributes?.workflowType?.name));
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
  });

  it('replays every recorded history without a determinism error', async () => {
    const results = Worker.runReplayHistories(
      { workflowBundle: await workflowBundle() },
      histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.history) })),
    );
    const outcomes: { workflowId: string; error?: string }[] = [];
    for await (const r of results) outcomes.push({ workflowId: r.workflowId, error: r.error ? `${r.error.name}: ${r.error.message}` : undefined });
    expect(outcomes).toHaveLength(histories.length);
    expect(outcomes.filter((o) => o.error)).toEqual([]);
  });
});
