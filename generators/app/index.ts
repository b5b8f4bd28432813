/** `yo secure-emr:app` (see generators/lib/registry.ts). */
import { generatorClass } from '../lib/generator-class.js';

export default generatorClass('app');
