/**
 * emr/security-configuration.json: the EMR security configuration. Key ARNs are not known at scaffold time:
 * the document carries the placeholders below, which scripts/deploy.sh fills from the KMS stack outputs.
 */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const KEY_PLACEHOLDERS = { s3Key: '__S3_KMS_KEY_ARN__', diskKey: '__DISK_KMS_KEY_ARN__' } as const;

export const securityConfigurationPiece: Piece = {
  name: 'security-configuration',
  namesCertificate: true,
  render({ model }) {
    const data = { m: model, a: model.answers, placeholders: KEY_PLACEHOLDERS };
    return [
      { path: 'emr/security-configuration.json', contents: renderTemplate('security-configuration', 'security-configuration.json.ejs', data) },
    ];
  },
};
