// `npm run record-histories`: runs the scenarios of test/record/ and writes the workflow
// histories that test/replay.test.ts replays. Not part of the test suite.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  test: { ...base.test, include: ['test/record/**/*.record.ts'] },
});
