// The operator's least-privilege set: what it calls (operator/controller/kube-api.ts, informers.ts,
// events.ts, operator/leader/lease.ts), as `<apiGroup>/<resource>:<verb>` strings, which is how the effective
// permissions test compares the apiserver's SelfSubjectRulesReview with it. No Secret appears: ADR 0037.
// With per-job NATS users on (workerDefaults.nats.jwt.signingKeySecret, ADR 0038) the chart adds only
// 'core/secrets:create', which cannot read: nats-credentials.kube.test.ts proves create yes, get/list no.
import type { V1ResourceRule } from '@kubernetes/client-node';

const rules = (group: string, resources: string[], verbs: string[]) =>
  resources.flatMap((resource) => verbs.map((verb) => `${group}/${resource}:${verb}`));

/** In every namespace the operator watches (the ClusterRole), or in watchNamespace only (the Role). */
export const jobRules: readonly string[] = [
  ...rules('bacl.dev', ['bacljobs'], ['get', 'list', 'watch', 'patch', 'delete']),
  ...rules('bacl.dev', ['bacljobs/status'], ['get', 'patch']),
  // Pods carry blockOwnerDeletion owner references, which needs update on the owner's finalizers.
  ...rules('bacl.dev', ['bacljobs/finalizers'], ['update']),
  ...rules('core', ['pods', 'services', 'configmaps'], ['get', 'list', 'watch', 'create', 'delete']),
  ...rules('core', ['events'], ['create']),
].sort();

/** In the release namespace: leader election. */
export const leaderRules: readonly string[] = rules(
  'coordination.k8s.io',
  ['leases'],
  ['get', 'create', 'update'],
).sort();

/** A SelfSubjectRulesReview's resource rules as sorted `<group>/<resource>:<verb>` strings ('' group: core). */
export function flattenRules(resourceRules: V1ResourceRule[]): string[] {
  const flat = new Set<string>();
  for (const rule of resourceRules)
    for (const group of rule.apiGroups ?? [''])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs)
          flat.add(
            `${group === '' ? 'core' : group}/${resource}${rule.resourceNames?.length ? `[${rule.resourceNames.join(',')}]` : ''}:${verb}`,
          );
  return [...flat].sort();
}

/** Whether a flattened rule lets its holder read Secrets (a wildcard counts). */
export function readsSecrets(rule: string): boolean {
  const match = /^(.+?)\/(.+?)(\[.*\])?:(.+)$/.exec(rule);
  if (!match) return false;
  const [, group, resource, , verb] = match;
  return (
    (group === 'core' || group === '*') &&
    (resource === 'secrets' || resource === '*') &&
    ['get', 'list', 'watch', '*'].includes(verb!)
  );
}
