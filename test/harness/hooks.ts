// Mocha root hooks (loaded with --require): stop the shared servers after the run and keep their logs when a
// test failed.
import type { Context } from 'mocha';
import { stopSharedServers } from './servers.js';
import { cleanWorkDirs, recordFailure } from './workdir.js';

export const mochaHooks = {
  afterEach(this: Context) {
    if (this.currentTest?.state === 'failed') recordFailure();
  },
  async afterAll() {
    try {
      await stopSharedServers();
    } finally {
      cleanWorkDirs((line) => console.log(line));
    }
  },
};
