/** `yo secure-emr:certs` (see generators/lib/registry.ts). */
import { generatorClass } from '../lib/generator-class.js';

export default generatorClass('certs');
