// Readiness checks for the multi-process cluster (infra/temporal-cluster.ts), all through the
// frontend with short deadlines: a process being up does not mean the cluster serves.
import { connect as tcpConnect } from 'node:net';
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { allSearchAttributes, retiredSearchAttributes } from '../workflows/search-attributes';
import { HOST } from './temporal-cluster-config';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The server's default system.namespaceCacheRefreshInterval. */
export const NAMESPACE_CACHE_REFRESH_MS = 2000;

/** Retries probe until it resolves; `alive` throws to stop early when a process died. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T>, alive: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive();
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what} timed out: ${(err as Error).message}`);
      await sleep(200);
    }
  }
}

export function portOpen(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: HOST, port }, () => {
      socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** A probe's own short deadline: a call to an unavailable service would otherwise hang. */
export const call = <T>(connection: Connection, fn: () => Promise<T>) => connection.withDeadline(Date.now() + 2000, fn);

/** The frontend alone: it answers and reads persistence. */
export async function frontendWorks(connection: Connection, namespace: string): Promise<void> {
  await call(connection, () => connection.workflowService.getSystemInfo({}));
  await call(connection, () => connection.workflowService.describeNamespace({ namespace }));
}

/**
 * The whole cluster: a describe of an absent workflow goes to the history shard owning it
 * (NotFound from history = healthy), a task queue describe goes to matching. Several ids so that
 * every history shard is probably hit.
 */
export async function clusterWorks(connection: Connection, namespace: string, numHistoryShards: number): Promise<void> {
  await frontendWorks(connection, namespace);
  await Promise.all(
    Array.from({ length: numHistoryShards * 4 }, async (_, i) => {
      try {
        await call(connection, () =>
          connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: `cluster-probe-${Date.now()}-${i}` } }),
        );
      } catch (err) {
        // NotFound also covers an unknown namespace (still propagating to history): not healthy yet.
        if (!(isGrpcServiceError(err) && err.code === 5 && !/namespace/i.test(err.message))) throw err;
      }
    }),
  );
  await call(connection, () =>
    connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: 'cluster-probe' }, taskQueueType: 1 /* WORKFLOW */ }),
  );
}

export async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<void> {
  try {
    await call(connection, () =>
      connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) }),
    );
  } catch (err) {
    if (!(isGrpcServiceError(err) && err.code === 6 /* ALREADY_EXISTS */)) throw err;
  }
}

/** The namespace exists, has every search attribute and none of the retired ones: nothing to register. */
export async function namespaceReady(connection: Connection, namespace: string): Promise<boolean> {
  try {
    const { customAttributes } = await call(connection, () => connection.operatorService.listSearchAttributes({ namespace }));
    return allSearchAttributes.every((k) => customAttributes?.[k.name] !== undefined) && retiredSearchAttributes.every((name) => customAttributes?.[name] === undefined);
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === 5 /* NOT_FOUND */) return false;
    throw err;
  }
}

const SAMPLE: Record<string, string> = {
  KEYWORD: '= "probe"', TEXT: '= "probe"', KEYWORD_LIST: '= "probe"',
  DATETIME: '> "2000-01-01T00:00:00Z"', INT: '> 0', DOUBLE: '> 0', BOOL: '= true',
};

/**
 * The frontend validates search attributes against its cached copy of the namespace, refreshed
 * every 2 s: right after registration a start with them fails ("no mapping defined for search
 * attribute"). A visibility query naming them all passes only once the frontend's copy has them.
 * Backquoted: the SQL query parser lowercases names that are SQL keywords (`Status` → 'status').
 */
export async function searchAttributesUsable(connection: Connection, namespace: string): Promise<void> {
  const query = allSearchAttributes.map((k) => `\`${k.name}\` ${SAMPLE[k.type]}`).join(' AND ');
  await call(connection, () => connection.workflowService.countWorkflowExecutions({ namespace, query }));
}
