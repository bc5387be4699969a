import { ApiException } from '@kubernetes/client-node';
import { expect } from 'chai';
import { toCliError } from '../../cli/internal.js';
import { InvalidBaclJobError } from '../../common/index.js';

const status = (code: number, message: string, name?: string) =>
  new ApiException(
    code,
    'HTTP error',
    JSON.stringify({ kind: 'Status', code, message, details: name ? { name, kind: 'bacljobs' } : {} }),
    {},
  );

describe('cli/errors: API answers and transport failures become CLI errors', function () {
  const table: { what: string; error: unknown; code: string; exit: number; message: string }[] = [
    {
      what: 'a missing job',
      error: status(404, 'bacljobs.bacl.dev "x" not found', 'x'),
      code: 'NOT_FOUND',
      exit: 3,
      message: 'bacljobs.bacl.dev "x" not found',
    },
    {
      what: 'a missing CRD (404 naming no object)',
      error: status(404, 'the server could not find the requested resource'),
      code: 'NOT_FOUND',
      exit: 3,
      message: 'the cluster does not serve BaclJobs (the server could not find the requested resource)',
    },
    {
      what: 'a refused object',
      error: status(422, 'BaclJob.bacl.dev "x" is invalid: spec.nodes: Invalid value: 0', 'x'),
      code: 'JOB_INVALID',
      exit: 4,
      message: 'BaclJob.bacl.dev "x" is invalid: spec.nodes: Invalid value: 0',
    },
    {
      what: 'a taken name',
      error: status(409, 'bacljobs.bacl.dev "x" already exists', 'x'),
      code: 'ALREADY_EXISTS',
      exit: 1,
      message: 'bacljobs.bacl.dev "x" already exists',
    },
    {
      what: 'missing permissions',
      error: status(403, 'bacljobs.bacl.dev is forbidden: User "u" cannot create resource "bacljobs"'),
      code: 'FORBIDDEN',
      exit: 1,
      message: 'bacljobs.bacl.dev is forbidden: User "u" cannot create resource "bacljobs"',
    },
    {
      what: 'a server error',
      error: status(500, 'etcdserver: request timed out'),
      code: 'API_ERROR',
      exit: 1,
      message: 'the API server answered HTTP 500: etcdserver: request timed out',
    },
    {
      what: 'a refused connection',
      error: new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
      }),
      code: 'UNREACHABLE',
      exit: 1,
      message: 'cannot reach the Kubernetes API server (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6443)',
    },
    {
      what: 'a job the API schema refuses',
      error: new InvalidBaclJobError('ns/x', ['spec.nodes: spec.nodes must be at least 1']),
      code: 'JOB_INVALID',
      exit: 4,
      message: 'BaclJob ns/x is invalid: spec.nodes: spec.nodes must be at least 1',
    },
  ];
  for (const { what, error, code, exit, message } of table) {
    it(`${what} -> ${code}, exit ${exit}, one Try this line`, function () {
      const cli = toCliError(error, 'get');
      expect(cli.code).to.equal(code);
      expect(cli.oclif.exit).to.equal(exit);
      expect(cli.message).to.equal(message);
      expect(cli.suggestions).to.have.length(1);
    });
  }
});
