// Issue #16, security: the operator's effective permissions, asked of the real apiserver (RBAC on), equal the
// chart's least-privilege set, and hold no get/list/watch on Secrets anywhere, cluster-wide or namespaced,
// in both of the chart's modes. The identity is the chart's ServiceAccount itself (a TokenRequest token), so
// the answer is what the running operator gets; a ServiceAccount with no binding gives the baseline every
// authenticated identity has (discovery, self reviews), which is subtracted.
import { expect } from 'chai';
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { newNamespace, testWorld, type TestWorld } from '../../operator/controller/env.js';
import { recordReliability } from '../reliability/entries.js';
import { flattenRules, jobRules, leaderRules, readsSecrets } from './expected-rules.js';
import { installOperatorIdentity, serviceAccountConfig } from './operator-identity.js';

describe('e2e/security: the operator has the least-privilege rules, and no Secret (ADR 0037)', function () {
  this.timeout(180_000);
  let w: TestWorld;

  before(async function () {
    w = await testWorld();
  });

  /** What `config`'s identity may do in `namespace` (SelfSubjectRulesReview), flattened. */
  async function rulesIn(config: Awaited<ReturnType<typeof serviceAccountConfig>>, namespace: string) {
    const review = await config.kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({
      body: { spec: { namespace } },
    });
    expect(review.status?.incomplete, review.status?.evaluationError).to.equal(false);
    return flattenRules(review.status?.resourceRules ?? []);
  }

  for (const mode of ['cluster-wide', 'watchNamespace'] as const)
    it(`grants exactly the expected rules and reads no Secret (${mode})`, async function () {
      const jobs = await newNamespace(w, 'sec-jobs');
      const other = await newNamespace(w, 'sec-other');
      const id = await installOperatorIdentity(w, mode === 'watchNamespace' ? jobs : undefined);
      await w.core.createNamespacedServiceAccount({
        namespace: id.system,
        body: { metadata: { name: 'nobody' } },
      });
      const operator = { kubeconfigPath: id.kubeconfigPath, kubeConfig: id.kubeConfig };
      const nobody = await serviceAccountConfig(w, id.system, 'nobody');

      const observed: Record<string, string[]> = {};
      const expected: Record<string, readonly string[]> = {
        [jobs]: jobRules,
        [id.system]: mode === 'cluster-wide' ? [...jobRules, ...leaderRules].sort() : leaderRules,
        [other]: mode === 'cluster-wide' ? jobRules : [],
        'kube-system': mode === 'cluster-wide' ? jobRules : [],
      };
      for (const namespace of Object.keys(expected)) {
        const baseline = await rulesIn(nobody, namespace);
        const all = await rulesIn(operator, namespace);
        expect(all.filter(readsSecrets), `rules reading Secrets in ${namespace}`).to.deep.equal([]);
        expect(baseline.filter(readsSecrets)).to.deep.equal([]);
        observed[namespace] = all.filter((rule) => !baseline.includes(rule));
        expect(observed[namespace], `the operator's own rules in ${namespace}`).to.deep.equal(
          expected[namespace],
        );
      }

      // Cluster scope (no namespace: every Secret of the cluster) and the jobs' namespace, verb by verb.
      const authorization = w.kubeConfig.makeApiClient(AuthorizationV1Api);
      const denied: string[] = [];
      for (const namespace of [undefined, jobs, id.system])
        for (const verb of ['get', 'list', 'watch']) {
          const review = await authorization.createSubjectAccessReview({
            body: {
              spec: {
                user: id.user,
                groups: [
                  'system:serviceaccounts',
                  `system:serviceaccounts:${id.system}`,
                  'system:authenticated',
                ],
                resourceAttributes: { verb, resource: 'secrets', ...(namespace ? { namespace } : {}) },
              },
            },
          });
          expect(review.status?.allowed, `${verb} secrets in ${namespace ?? 'the cluster'}`).to.equal(false);
          denied.push(`${verb} ${namespace === undefined ? 'cluster-wide' : 'namespaced'}`);
        }

      recordReliability({
        kind: 'security',
        id: `operator-rbac-least-privilege-${mode === 'cluster-wide' ? 'cluster' : 'namespace'}`,
        test: this.test?.titlePath().join(' > ') ?? 'rbac-rules',
        property: `The operator's effective permissions (${mode} install) equal the chart's least-privilege set, with no get/list/watch on Secrets`,
        evidence:
          `SelfSubjectRulesReview as the chart's ServiceAccount (its own token), minus an unbound ServiceAccount's baseline: ` +
          Object.entries(observed)
            .map(
              ([namespace, rules]) =>
                `${namespace === jobs ? 'jobs namespace' : namespace === id.system ? 'release namespace' : namespace === other ? 'another namespace' : namespace}: ${rules.length} rules`,
            )
            .join('; ') +
          ` (equal to the expected set); SubjectAccessReview denies secrets ${[...new Set(denied)].join(', ')}.`,
      });
    });
});
