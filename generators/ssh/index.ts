/** `yo secure-emr:ssh` (see generators/lib/registry.ts). */
import { generatorClass } from '../lib/generator-class.js';

export default generatorClass('ssh');
