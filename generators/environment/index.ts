/** `yo secure-emr:environment` (see generators/lib/registry.ts). */
import { generatorClass } from '../lib/generator-class.js';

export default generatorClass('environment');
