// `npm run generate`: writes the generated chart files (the CRD and the values schema). Run after changing a
// schema in common/api or operator/chart/values.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../common/index.js';
import { renderValuesSchema } from '../chart/render.js';
import { valuesSchemaPath } from '../chart/values.js';
import { crdPath, renderCrdYaml } from './crd.js';

const root = packageRoot();
writeFileSync(join(root, crdPath), renderCrdYaml());
process.stdout.write(`Wrote ${crdPath}\n`);
writeFileSync(join(root, valuesSchemaPath), await renderValuesSchema(root));
process.stdout.write(`Wrote ${valuesSchemaPath}\n`);
