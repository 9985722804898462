// Once per run: a migrated and seeded template database that each test file copies, and one
// Temporal dev server (createLocal, the real `temporal` binary) shared by the HTTP tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../../infra/temporal-binaries';
import { seededDatabaseFile } from './template-db';
import { allSearchAttributes } from '../../workflows/search-attributes';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
    devServerAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marketplace-test-'));
  const templateDb = path.join(dir, 'template.db');
  await seededDatabaseFile(templateDb);

  const devServer = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: allSearchAttributes,
      ip: '127.0.0.1',
    },
  });

  project.provide('templateDb', templateDb);
  project.provide('devServerAddress', devServer.address);

  return async () => {
    await devServer.teardown();
    rmSync(dir, { recursive: true, force: true });
  };
}
