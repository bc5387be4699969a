import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { packageRoot } from '../../../common/index.js';
import { crdPath, renderCrdYaml } from '../../../operator/internal.js';

describe('operator/crd: the committed CRD', function () {
  it('is what `npm run generate` writes from the zod schemas (run it after changing common/api)', function () {
    const committed = readFileSync(join(packageRoot(), crdPath), 'utf8');
    expect(committed, `${crdPath} is stale: run npm run generate`).to.equal(renderCrdYaml());
  });
});
