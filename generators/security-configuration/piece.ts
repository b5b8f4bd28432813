/**
 * emr/: the documents scripts/deploy.sh applies besides the stacks: the EMR security configuration (key ARNs and
 * the certificate's S3 object filled at deploy time) and the project bucket's policy.
 */
import type { Piece } from '../lib/piece.js';
import { bucketPolicy } from '../lib/policies.js';
import { documentFile } from '../lib/render.js';
import { securityConfigurationDocument } from './security-configuration-document.js';

export const securityConfigurationPiece: Piece = {
  name: 'security-configuration',
  description: 'emr/security-configuration.json and emr/bucket-policy.json',
  render({ model }) {
    return [
      documentFile(
        'security-configuration',
        'emr/security-configuration.json',
        model,
        securityConfigurationDocument(model),
      ),
      documentFile('security-configuration', 'emr/bucket-policy.json', model, bucketPolicy(model)),
    ];
  },
};
