// BaclJob objects for tests: the smallest valid job as a user would write it (no defaults filled in).
import type { BaclJobSpecInput } from '../../common/index.js';

export interface JobManifest {
  apiVersion: 'bacl.dev/v1alpha1';
  kind: 'BaclJob';
  metadata: { name: string; namespace?: string };
  spec: BaclJobSpecInput;
}

export function minimalSpec(): BaclJobSpecInput {
  return {
    config: { model: { roi_head: { num_classes: 1203 } }, schedule: { representation: { epochs: 24 } } },
    dataset: {
      name: 'lvis-v1',
      train: 's3://bacl/datasets/lvis-v1/train/manifest.json',
      val: 's3://bacl/datasets/lvis-v1/val/manifest.json',
    },
    image: 'ghcr.io/bacl/worker:0.1.0',
    nats: { url: 'nats://nats.bacl:4222' },
    s3: { uri: 's3://bacl', credentialsSecret: 's3-credentials' },
  };
}

export function minimalJob(name: string, spec: Partial<BaclJobSpecInput> = {}): JobManifest {
  return {
    apiVersion: 'bacl.dev/v1alpha1',
    kind: 'BaclJob',
    metadata: { name },
    spec: { ...minimalSpec(), ...spec },
  };
}
