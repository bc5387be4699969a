import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { main, parseRunPrefix, PurgeUsageError } from '../../../worker/internal.js';
import { sharedS3, startS3FaultProxy, type S3Server } from '../../harness/index.js';

/** `bacl-worker purge`, what the operator's purge pod runs (ADR 0037), against the real S3 server. */
describe('worker/runtime/purge: bacl-worker purge <run prefix>/', function () {
  this.timeout(180_000);

  describe('accepts only a run prefix', function () {
    const good: [string, { bucket: string; prefix: string }][] = [
      ['s3://bacl/runs/ml/lvis/uid-1/', { bucket: 'bacl', prefix: 'runs/ml/lvis/uid-1/' }],
      [
        's3://bacl-data/team/a/runs/ml/lvis/0a1b/',
        { bucket: 'bacl-data', prefix: 'team/a/runs/ml/lvis/0a1b/' },
      ],
    ];
    for (const [uri, parsed] of good)
      it(`takes ${uri}`, function () {
        expect(parseRunPrefix(uri)).to.deep.equal(parsed);
      });
    for (const uri of [
      's3://bacl/',
      's3://bacl',
      's3://bacl/runs/ml/lvis/uid-1', // no trailing slash: would also match uid-10/...
      's3://bacl/runs/ml/lvis/',
      's3://bacl/datasets/lvis/train/x/',
      's3://bacl/runs/ml//uid-1/',
      '/tmp/runs/ml/lvis/uid-1/',
      '',
    ])
      it(`refuses ${JSON.stringify(uri)}, saying what a run prefix is`, function () {
        expect(() => parseRunPrefix(uri))
          .to.throw(PurgeUsageError)
          .with.property('message')
          .that.matches(
            /is not a run prefix. Expected s3:\/\/<bucket>\/\[<root>\/\]runs\/<namespace>\/<job>\/<uid>\//,
          );
      });
  });

  describe('on the real S3 server', function () {
    let s3: S3Server;
    const bucket = `purge-${randomBytes(3).toString('hex')}`;
    const run = 'root/runs/ml/lvis/uid-1/';
    // Siblings the purge must keep: another uid whose name starts the same, another job, the datasets.
    const kept = [
      'root/runs/ml/lvis/uid-10/checkpoints/a',
      'root/runs/ml/other/uid-1/x',
      'root/datasets/lvis/m.json',
    ];

    before(async function () {
      s3 = await sharedS3();
      await s3.client().send(new CreateBucketCommand({ Bucket: bucket }));
    });

    const env = (secretAccessKey: string) => ({
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: s3.region,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      BACL_S3_FORCE_PATH_STYLE: 'true',
    });
    const purge = async (args: string[], secret = s3.secretAccessKey, extra: NodeJS.ProcessEnv = {}) => {
      let stdout = '';
      let stderr = '';
      const code = await main(
        ['purge', ...args],
        { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
        { env: { ...env(secret), ...extra } },
      );
      return { code, stdout, stderr };
    };
    const keys = async (prefix: string) => {
      const found: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3
          .client()
          .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        found.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found.sort();
    };

    it('deletes every object under the prefix, over more than one list page, and nothing else', async function () {
      // 1003 objects: ListObjectsV2 and DeleteObjects take at most 1000 keys, so one pass cannot do it all.
      const names = [
        ...Array.from({ length: 1000 }, (_, i) => `${run}checkpoints/representation/ckpt-${i}/weights`),
        `${run}eval/metrics.json`,
        `${run}eval/detections.json`,
        `${run}tb/events`,
      ];
      for (let i = 0; i < names.length; i += 50)
        await Promise.all(
          names
            .slice(i, i + 50)
            .map((Key) => s3.client().send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
        );
      for (const Key of kept)
        await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));

      const result = await purge([`s3://${bucket}/${run}`]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include(`purge: done: 1003 object(s) deleted under s3://${bucket}/${run}`);
      expect(await keys(run)).to.deep.equal([]);
      expect(await keys('root/')).to.deep.equal([...kept].sort());
      // Purging again is no error (the finalizer may run it twice).
      const again = await purge([`s3://${bucket}/${run}`]);
      expect(again.code).to.equal(0);
      expect(again.stdout).to.include('0 object(s) deleted');
    });

    it('fails with exit 1 naming the prefix when the store refuses, without echoing the credentials', async function () {
      await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: `${run}x`, Body: 'x' }));
      const wrong = randomBytes(24).toString('base64url');
      const result = await purge([`s3://${bucket}/${run}`], wrong);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(new RegExp(`purge: listing s3://${bucket}/${run} failed: `));
      expect(result.stderr + result.stdout).to.not.include(wrong);
      expect(result.stderr + result.stdout).to.not.include(s3.secretAccessKey);
      expect(await keys(run)).to.deep.equal([`${run}x`]);
    });

    it("rides out a stalled store with the job's per-attempt deadline (BACL_S3_REQUEST_TIMEOUT_SECONDS), each retry logged", async function () {
      const proxy = await startS3FaultProxy(s3.endpoint);
      try {
        const prefix = 'root/runs/ml/stalled/uid-1/';
        await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}a`, Body: 'x' }));
        // The first LIST (a GET on the bucket, the prefix in the query) gets no answer.
        const stalls = proxy.inject({
          answer: 'stall',
          method: 'GET',
          key: new RegExp(`^${bucket}/?$`),
          times: 1,
        });
        const result = await purge([`s3://${bucket}/${prefix}`], s3.secretAccessKey, {
          AWS_ENDPOINT_URL_S3: proxy.endpoint,
          BACL_S3_REQUEST_TIMEOUT_SECONDS: '1',
        });
        expect(result.code, result.stderr).to.equal(0);
        expect(stalls.hits).to.equal(1);
        expect(result.stdout).to.match(
          new RegExp(
            `S3 LIST s3://${bucket}/${prefix}: attempt 1 of 8 failed \\(TimeoutError: no answer within ` +
              'attemptTimeoutMs 1000 ms\\); retrying in ',
          ),
        );
        expect(result.stdout).to.include(`purge: done: 1 object(s) deleted under s3://${bucket}/${prefix}`);
        expect(await keys(prefix)).to.deep.equal([]);
      } finally {
        await proxy.stop();
      }
    });

    it('refuses a bad BACL_S3_REQUEST_TIMEOUT_SECONDS with exit 2 naming it, before touching the store', async function () {
      const result = await purge([`s3://${bucket}/${run}`], s3.secretAccessKey, {
        BACL_S3_REQUEST_TIMEOUT_SECONDS: '0',
      });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include(
        'BACL_S3_REQUEST_TIMEOUT_SECONDS="0": should be a whole number of seconds',
      );
    });

    it('refuses a wrong argument with exit 2 before touching the store', async function () {
      expect((await purge([`s3://${bucket}/`])).code).to.equal(2);
      expect((await purge([])).code).to.equal(2);
      expect((await purge(['a', 'b'])).code).to.equal(2);
      expect(await keys(run)).to.deep.equal([`${run}x`]);
    });
  });
});
