/** Every generator class by name, for running them from code (the `secure-emr` bin) without a lookup. */
import AppGenerator from '../app/index.js';
import CertsGenerator from '../certs/index.js';
import EnvironmentGenerator from '../environment/index.js';
import IamGenerator from '../iam/index.js';
import JobsGenerator from '../jobs/index.js';
import KmsGenerator from '../kms/index.js';
import ScriptsGenerator from '../scripts/index.js';
import SecurityConfigurationGenerator from '../security-configuration/index.js';
import SshGenerator from '../ssh/index.js';

export const GENERATOR_CLASSES = {
  app: AppGenerator,
  certs: CertsGenerator,
  iam: IamGenerator,
  kms: KmsGenerator,
  environment: EnvironmentGenerator,
  'security-configuration': SecurityConfigurationGenerator,
  scripts: ScriptsGenerator,
  ssh: SshGenerator,
  jobs: JobsGenerator,
} as const;
