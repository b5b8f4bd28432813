/**
 * `yo secure-emr:certs`: the key material. Keeps an existing key; `--rotate` makes a new key and certificate
 * under a new version (new S3 key, new security configuration name); `--check` reports and fails on trouble.
 */
import { ALL_PIECES } from '../lib/all-pieces.js';
import { SecureEmrGenerator } from '../lib/base-generator.js';
import { checkCertificate } from '../lib/certificates.js';
import type { Piece } from '../lib/piece.js';
import { certsPiece, readKeyMaterial } from './piece.js';

export default class CertsGenerator extends SecureEmrGenerator {
  protected readonly pieces = [certsPiece];

  constructor(args: string[], options: SecureEmrGenerator['options']) {
    super(args, options);
    this.option('rotate', { type: Boolean, description: 'Make a new key and certificate under a new version' });
    this.option('check', { type: Boolean, description: 'Report expiry, names and key match; fail within 30 days of expiry' });
  }

  protected override _rotating(): boolean {
    return this.flag('rotate') === true;
  }

  protected override _reportOnly(): boolean {
    return this.flag('check') === true;
  }

  protected override async _prepare(): Promise<void> {
    const existing = readKeyMaterial({ readExisting: (p) => this._readDisk(p) });
    if (this._reportOnly()) {
      if (existing.key === undefined || existing.cert === undefined) {
        throw new Error('certs --check: certs/privateKey.pem or certs/certificateChain.pem is missing; run `yo secure-emr:certs` to make them.');
      }
      const result = checkCertificate(existing.key, existing.cert, this.answers.region);
      this.log(result.lines.join('\n'));
      if (!result.ok) throw new Error('certs --check: the certificate needs attention (see above); `yo secure-emr:certs --rotate` makes a new one.');
      return;
    }
    if (this._rotating() && existing.key !== undefined) {
      this.state = { ...this.state, certificateVersion: this.state.certificateVersion + 1 };
      this._note(`Rotated: certificate version ${this.state.certificateVersion}; run scripts/deploy.sh to upload it and create the new security configuration.`);
    }
  }

  /** A rotation moves everything that names the certificate to the new version. */
  protected override _piecesToRender(): readonly Piece[] {
    if (!this._rotating()) return this.pieces;
    return [certsPiece, ...ALL_PIECES.filter((p) => p.namesCertificate && p !== certsPiece)];
  }
}
