import { Args, Flags } from '@oclif/core';
import { KubeConfig } from '@kubernetes/client-node';
import { cliError } from './errors.js';

/** kubectl's connection flags, for every command that talks to a cluster. */
export const kubeFlags = {
  namespace: Flags.string({ char: 'n', description: 'namespace (default: the context\'s, else "default")' }),
  'all-namespaces': Flags.boolean({ char: 'A', description: 'list across all namespaces', default: false }),
  context: Flags.string({ description: 'kubeconfig context to use (default: the current context)' }),
  kubeconfig: Flags.string({
    description: 'path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
  }),
};

/** The connection flags of a command that acts on one job in one namespace (no -A). */
export const singleJobFlags = {
  namespace: kubeFlags.namespace,
  context: kubeFlags.context,
  kubeconfig: kubeFlags.kubeconfig,
};

/** The job-name argument of describe, wait, logs, delete, suspend and resume. */
export const jobNameArg = { name: Args.string({ required: true, description: 'the job name' }) };

export interface KubeTarget {
  kubeConfig: KubeConfig;
  /** The namespace to act in; undefined with --all-namespaces. */
  namespace: string | undefined;
}

/**
 * Loads the kubeconfig as kubectl does: --kubeconfig, else $KUBECONFIG (several paths merged), else
 * ~/.kube/config, else in-cluster; --context picks a context; -n, else the context's namespace, else default.
 */
export function kubeTarget(flags: {
  namespace?: string;
  'all-namespaces'?: boolean;
  context?: string;
  kubeconfig?: string;
}): KubeTarget {
  const kubeConfig = new KubeConfig();
  try {
    if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw cliError(`cannot load the kubeconfig ${flags.kubeconfig ?? '($KUBECONFIG or ~/.kube/config)'}`, {
      code: 'USAGE',
      tryThis: 'pass --kubeconfig PATH, or check that `kubectl config view` works',
      cause: error,
    });
  }
  if (flags.context) {
    if (!kubeConfig.getContextObject(flags.context)) {
      const known = kubeConfig.getContexts().map((context) => context.name);
      throw cliError(`no context "${flags.context}" in the kubeconfig`, {
        code: 'NOT_FOUND',
        tryThis: known.length > 0 ? `one of: ${known.join(', ')}` : 'kubectl config get-contexts',
      });
    }
    kubeConfig.setCurrentContext(flags.context);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw cliError('the kubeconfig names no cluster for the current context', {
      code: 'USAGE',
      tryThis: 'kubectl config current-context, then kubectl config use-context NAME',
    });
  }
  if (flags['all-namespaces']) return { kubeConfig, namespace: undefined };
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return { kubeConfig, namespace: flags.namespace ?? contextNamespace ?? 'default' };
}
