// `npm run build`'s last step: oclif.manifest.json at the package root, every command's id, flags and help as
// oclif caches them. With it, `baclctl <command>` imports only that command's module; without it oclif imports
// every command on each start to learn their names (about a second of CPU: the Kubernetes client, the AWS SDK
// and the run launcher, for a `baclctl eval` that needs none of them). It is written from dist/ by the build
// that wrote dist/, so the two always match; git ignores it, and bin/dev.js (the sources) does not read it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plugin } from '@oclif/core';
import { packageRoot } from '../common/index.js';

const root = packageRoot();
const plugin = new Plugin({
  root,
  type: 'core',
  isRoot: true,
  ignoreManifest: true,
  errorOnManifestCreate: true,
});
await plugin.load();
const file = join(root, 'oclif.manifest.json');
writeFileSync(file, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`${file}: ${Object.keys(plugin.manifest.commands).length} commands`);
