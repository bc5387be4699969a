import { expect } from 'chai';
import { InvalidBaclJobError, parseBaclJob } from '../../../common/index.js';
import { minimalJob } from '../../operator/fixtures.js';

describe('common/api: parseBaclJob', function () {
  it('fills in the documented defaults', function () {
    const job = parseBaclJob(minimalJob('defaults'));
    expect(job.spec).to.deep.include({
      nodes: 1,
      gpusPerNode: 1,
      resume: 'auto',
      terminationGracePeriodSeconds: 120,
    });
    expect(job.spec.checkpoint).to.deep.equal({ everySteps: 1000, keepLast: 3 });
    expect(job.spec.runPolicy).to.deep.equal({
      backoffLimit: 3,
      cleanPodPolicy: 'Running',
      suspend: false,
      deleteRunDataOnDelete: false,
    });
    expect(job.spec.s3).to.include({ region: 'us-east-1', forcePathStyle: false });
  });

  it('keeps the open training config as written', function () {
    const config = { model: { anything: [1, { deep: true }] } };
    expect(parseBaclJob(minimalJob('config', { config })).spec.config).to.deep.equal(config);
  });

  it('accepts resource quantities as integers or strings', function () {
    const resources = { requests: { cpu: 8, memory: '64Gi' }, limits: { memory: '64Gi' } };
    expect(parseBaclJob(minimalJob('resources', { resources })).spec.resources).to.deep.equal(resources);
  });

  it('refuses with an InvalidBaclJobError naming the job and every bad field', function () {
    const object = {
      ...minimalJob('Bad_Name', { nodes: 0, resume: 'latest' }),
      metadata: { name: 'Bad_Name', namespace: 'ml' },
    };
    let caught: unknown;
    try {
      parseBaclJob(object);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(InvalidBaclJobError);
    const error = caught as InvalidBaclJobError;
    expect(error.job).to.equal('ml/Bad_Name');
    expect(error.issues).to.include('spec.nodes: spec.nodes must be at least 1');
    expect(error.issues).to.include("spec.resume: spec.resume must be 'auto' or an s3:// checkpoint URI");
    expect(error.cause).to.not.equal(undefined);
  });
});
