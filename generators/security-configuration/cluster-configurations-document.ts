/**
 * emr/configurations.json: the configuration classifications scripts/deploy.sh passes to
 * `aws emr create-cluster --configurations`. They make the S3 encryption of the security configuration hold on
 * every accepted release (emr-7.x):
 *
 * - From emr-7.10.0 the default S3 connector for s3://, s3n:// and s3a:// is S3A, not EMRFS (release guide
 *   "emr-fs": "Starting from the EMR 7.10.0 release, the S3A filesystem has replaced EMRFS as the default EMR S3
 *   connector"). The security configuration's S3 encryption is documented for EMRFS only ("emr-data-encryption-
 *   options", "emr-emrfs-encryption"); no page says it drives S3A. The migration guide ("emr-s3a-migrate") keeps
 *   EMRFS with the core-site property fs.s3.impl=com.amazon.ws.emr.hadoop.fs.EmrFileSystem, so s3:// (every path
 *   the jobs use) is EMRFS on 7.0-7.14 alike, and the security configuration applies. Before 7.10 that value is
 *   already the default, so the pin changes nothing there.
 * - s3a:// (and s3n://) stay S3A. For them the S3A encryption properties ("emr-encryption-s3a-properties",
 *   "emr-s3a-cse-kms": fs.s3a.encryption.algorithm and fs.s3a.encryption.key in core-site) are set to the same mode
 *   and key, so a job that writes s3a:// paths is encrypted as promised too. S3A's client-side encryption writes
 *   S3 Encryption Client v3 envelopes (x-amz-wrap-alg kms+context), which verify-encryption.sh also accepts when
 *   KMS attributes the data key to the project's S3 key.
 *
 * The key ARN is a placeholder filled at deploy time by scripts/lib.sh, as in the security configuration.
 */
import { PLACEHOLDERS } from '../lib/model.js';
import type { Model } from '../lib/model.js';

/** A configuration classification (EMR release guide, "Configure applications"). */
export interface ClusterConfiguration {
  Classification: string;
  Properties: Record<string, string>;
}

/** The EMRFS implementation class, as "emr-s3a-migrate" spells it. */
export const EMRFS_CLASS = 'com.amazon.ws.emr.hadoop.fs.EmrFileSystem';

export function clusterConfigurationsDocument(m: Model): ClusterConfiguration[] {
  const mode = m.answers.s3EncryptionMode;
  const s3a: Record<string, string> =
    mode === 'SSE-S3'
      ? { 'fs.s3a.encryption.algorithm': 'SSE-S3' }
      : { 'fs.s3a.encryption.algorithm': mode, 'fs.s3a.encryption.key': PLACEHOLDERS.s3Key };
  return [{ Classification: 'core-site', Properties: { 'fs.s3.impl': EMRFS_CLASS, ...s3a } }];
}
