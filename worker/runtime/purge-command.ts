// `bacl-worker purge <run prefix>/` (purge.ts): the arguments and environment read once, the prefix emptied,
// the outcome as an exit status and one line on stderr.
import { S3Client } from '@aws-sdk/client-s3';
import { ExitCode, type ExitStatus, type ProgramIO } from '../../common/index.js';
import { describeRetry } from '../../data/index.js';
import { PurgeError, PurgeUsageError, purgeRunPrefix } from './purge.js';
import { RankEnvError } from './rank-env-error.js';
import { readS3Env } from './rank-env.js';

export async function runPurge(args: string[], env: NodeJS.ProcessEnv, io: ProgramIO): Promise<ExitStatus> {
  const name = 'bacl-worker purge';
  if (args.length !== 1) {
    io.stderr(`${name}: expected one argument, the run prefix (s3://.../runs/<namespace>/<job>/<uid>/)\n`);
    return ExitCode.usage;
  }
  let client;
  let retry;
  try {
    const s3 = readS3Env(env);
    client = new S3Client({ ...s3.client, ...staticCredentials(env) });
    retry = s3.retry;
  } catch (error) {
    if (!(error instanceof RankEnvError)) throw error;
    io.stderr(`${name}: ${error.message}\n`);
    return ExitCode.usage;
  }
  try {
    const log = (line: string) => io.stdout(`${line}\n`);
    const deleted = await purgeRunPrefix(client, args[0]!, {
      log,
      retry: { policy: retry, onRetry: (notice) => log(describeRetry(notice)) },
    });
    io.stdout(`purge: done: ${deleted} object(s) deleted under ${args[0]}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof PurgeUsageError) {
      io.stderr(`${error.message}\n`);
      return ExitCode.usage;
    }
    if (error instanceof PurgeError) {
      io.stderr(`${error.message}\n`);
      return ExitCode.failure;
    }
    throw error;
  } finally {
    client.destroy();
  }
}

/**
 * The job Secret's keys as envFrom gives them; without them the SDK's default chain (a web identity, an
 * instance role) is used, as the workers do.
 */
function staticCredentials(env: NodeJS.ProcessEnv) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return {};
  const sessionToken = env.AWS_SESSION_TOKEN;
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}
