// What `submit` checks in the cluster before it creates a job, so a job that cannot start is refused at the
// prompt instead of failing minutes later in a pod (CreateContainerConfigError). Only what the user's own
// credentials can see: a check they may not make (HTTP 403) is skipped, never guessed. ADR 0036.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { apiFailure } from '../kube/api-errors.js';
import { cliError } from '../errors.js';

/** The keys every worker reads from the S3 Secret (envFrom: AWS SDK environment variables). */
export const s3SecretKeys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/**
 * The S3 credentials Secret the job will name exists in its namespace and holds both keys. Throws a CLI
 * error (NOT_FOUND or JOB_INVALID) naming the Secret, the flag that chose it and the command that fixes it.
 */
export async function checkS3Secret(kubeConfig: KubeConfig, namespace: string, name: string): Promise<void> {
  const create =
    `kubectl create secret generic ${name} -n ${namespace} ` +
    s3SecretKeys.map((key) => `--from-literal=${key}=...`).join(' ');
  let data: Record<string, string>;
  try {
    const secret = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ name, namespace });
    data = { ...secret.stringData, ...secret.data };
  } catch (error) {
    const failure = apiFailure(error);
    if (failure?.httpCode === 403 || failure?.httpCode === 401) return; // not ours to read: the pod will tell
    if (failure?.httpCode === 404) {
      throw cliError(
        `the S3 credentials Secret ${namespace}/${name} (--s3-secret, $BACL_S3_SECRET) does not exist; ` +
          'the job was not created',
        { code: 'NOT_FOUND', tryThis: `create it: ${create}, or name another with --s3-secret` },
      );
    }
    throw error;
  }
  const missing = s3SecretKeys.filter((key) => data[key] === undefined);
  if (missing.length > 0) {
    throw cliError(
      `the S3 credentials Secret ${namespace}/${name} (--s3-secret, $BACL_S3_SECRET) has no ` +
        `${missing.join(' or ')}; the job was not created`,
      { code: 'JOB_INVALID', tryThis: `recreate it with both keys: ${create}` },
    );
  }
}
