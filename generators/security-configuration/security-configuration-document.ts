/**
 * emr/security-configuration.json as a typed value (EMR management guide, "Create a security configuration").
 * Key ARNs and the certificate's S3 object are placeholders that scripts/lib.sh fills at deploy time
 * (model.ts, PLACEHOLDERS).
 */
import type { Tag } from '../lib/cfn.js';
import { PLACEHOLDERS } from '../lib/model.js';
import type { Model } from '../lib/model.js';

export type S3EncryptionConfiguration =
  { EncryptionMode: 'SSE-S3' } | { EncryptionMode: 'SSE-KMS' | 'CSE-KMS'; AwsKmsKey: string };

/**
 * PEM: the zip of certs/ in S3. EMR: EMR makes a private CA and the nodes' certificates and stores the CA
 * certificate in Secrets Manager, encrypted with AwsKmsKey (a full key ARN) and tagged with SecretTags; the
 * certificates are valid ValidityInDays from the configuration's creation.
 */
export type TLSCertificateConfiguration =
  | { CertificateProviderType: 'PEM'; S3Object: string }
  | { CertificateProviderType: 'EMR'; AwsKmsKey: string; SecretTags: Tag[]; ValidityInDays: number };

export interface SecurityConfigurationDocument {
  EncryptionConfiguration: {
    /** Real booleans: AWS Control Tower's guard rules reject the string "true". */
    EnableAtRestEncryption: true;
    EnableInTransitEncryption: true;
    AtRestEncryptionConfiguration: {
      S3EncryptionConfiguration: S3EncryptionConfiguration;
      LocalDiskEncryptionConfiguration: {
        EncryptionKeyProviderType: 'AwsKms';
        AwsKmsKey: string;
        EnableEbsEncryption: true;
      };
    };
    InTransitEncryptionConfiguration: { TLSCertificateConfiguration: TLSCertificateConfiguration };
  };
  InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2; HttpPutResponseHopLimit: 1 };
}

export function securityConfigurationDocument(m: Model): SecurityConfigurationDocument {
  const mode = m.answers.s3EncryptionMode;
  const tls: TLSCertificateConfiguration =
    m.answers.certificateSource === 'emr-managed'
      ? {
          CertificateProviderType: 'EMR',
          AwsKmsKey: PLACEHOLDERS.s3Key,
          SecretTags: m.tags.project,
          ValidityInDays: m.emrManagedCertificates.validityDays,
        }
      : { CertificateProviderType: 'PEM', S3Object: PLACEHOLDERS.certsS3Object };
  const s3: S3EncryptionConfiguration =
    mode === 'SSE-S3' ? { EncryptionMode: mode } : { EncryptionMode: mode, AwsKmsKey: PLACEHOLDERS.s3Key };
  return {
    EncryptionConfiguration: {
      EnableAtRestEncryption: true,
      EnableInTransitEncryption: true,
      AtRestEncryptionConfiguration: {
        S3EncryptionConfiguration: s3,
        LocalDiskEncryptionConfiguration: {
          EncryptionKeyProviderType: 'AwsKms',
          AwsKmsKey: PLACEHOLDERS.diskKey,
          EnableEbsEncryption: true,
        },
      },
      InTransitEncryptionConfiguration: { TLSCertificateConfiguration: tls },
    },
    InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
  };
}
