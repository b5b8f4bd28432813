/** `yo secure-emr:security-configuration` (see generators/lib/registry.ts). */
import { generatorClass } from '../lib/generator-class.js';

export default generatorClass('security-configuration');
