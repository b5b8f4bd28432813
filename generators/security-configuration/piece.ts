/**
 * emr/: the documents scripts/deploy.sh applies besides the stacks: the EMR security configuration (key ARNs and
 * the certificate's S3 object filled at deploy time), the project bucket's policy and the cluster's configuration
 * classifications (cluster-configurations-document.ts).
 */
import type { Piece } from '../lib/piece.js';
import { bucketPolicy } from '../lib/policies.js';
import { documentFile } from '../lib/render.js';
import { clusterConfigurationsDocument } from './cluster-configurations-document.js';
import { securityConfigurationDocument } from './security-configuration-document.js';

export const securityConfigurationPiece: Piece = {
  name: 'security-configuration',
  description:
    'emr/security-configuration.json, emr/bucket-policy.json and emr/configurations.json (EMRFS kept for s3://, S3A encrypted alike)',
  render({ model }) {
    return [
      documentFile(
        'security-configuration',
        'emr/security-configuration.json',
        model,
        securityConfigurationDocument(model),
      ),
      documentFile('security-configuration', 'emr/bucket-policy.json', model, bucketPolicy(model)),
      documentFile('security-configuration', 'emr/configurations.json', model, clusterConfigurationsDocument(model)),
    ];
  },
};
