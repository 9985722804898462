// Replays the recorded histories of every workflow (test/histories/, written by
// `npm run record-histories`) against the current workflow code: a change that is not
// replay-safe fails here. Before the first release, a workflow change re-records its histories
// (README, "Changing workflow code").
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import * as workflows from '../workflows';
import { loadHistories } from './support/histories';
import { randomBytes } from 'node:crypto';
import { dataConverterFromConfig } from '../infra/payload-codec';
import { TEST_PAYLOAD_KEYS, testDataConverter } from './support/payload-keys';
import { workflowBundle } from './support/system';

describe('replay of recorded histories', () => {
  const histories = loadHistories();

  it('covers every workflow the worker registers', () => {
    const types = new Set(histories.map((h) => (h.history as { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] }).events[0].workflowExecutionStartedEventAttributes?.workflowType?.name));
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
  });

  it('replays every recorded history without a determinism error', async () => {
    const results = Worker.runReplayHistories(
      // histories recorded encrypted (under the test keys) decode; older plain ones pass through.
      { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
      histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.history) })),
    );
    const outcomes: { workflowId: string; error?: string }[] = [];
    for await (const r of results) outcomes.push({ workflowId: r.workflowId, error: r.error ? `${r.error.name}: ${r.error.message}` : undefined });
    expect(outcomes).toHaveLength(histories.length);
    expect(outcomes.filter((o) => o.error)).toEqual([]);
  });

  it('X-7: histories recorded encrypted are encrypted, and still replay after a key rotation (their key id retired, not removed)', async () => {
    // Every payload is encrypted except search attributes, which the server must read to index them.
    const plain: string[] = [];
    let encrypted = 0;
    const walk = (v: unknown, path: string): void => {
      if (!v || typeof v !== 'object') return;
      const encoding = (v as { metadata?: { encoding?: string } }).metadata?.encoding;
      if (encoding !== undefined) {
        if (Buffer.from(encoding, 'base64').toString() === 'binary/encrypted') encrypted += 1;
        else if (!path.includes('.searchAttributes.indexedFields.')) plain.push(path);
      }
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    for (const h of histories) walk(h.history, h.scenario);
    expect(encrypted).toBeGreaterThan(100);
    expect(plain).toEqual([]);
    // A new current key; the recording key stays listed to decrypt.
    const rotated = dataConverterFromConfig({ payloadKeys: `rotated-2027:${randomBytes(32).toString('base64')},${TEST_PAYLOAD_KEYS}`, payloadKeyId: 'rotated-2027' });
    const results = Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(), dataConverter: rotated },
      histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.history) })),
    );
    const errors: string[] = [];
    for await (const r of results) if (r.error) errors.push(`${r.workflowId}: ${r.error.message}`);
    expect(errors).toEqual([]);
  });
});
