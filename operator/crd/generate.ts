// `npm run generate`: writes the generated chart files. Run after changing a schema in common/api.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../common/index.js';
import { crdPath, renderCrdYaml } from './crd.js';

const target = join(packageRoot(), crdPath);
writeFileSync(target, renderCrdYaml());
process.stdout.write(`Wrote ${crdPath}\n`);
