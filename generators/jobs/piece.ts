/** jobs/test.py (PySpark), jobs/test.q (Hive) and their sample data, data/cars.csv. */
import type { Piece } from '../lib/piece.js';
import { templateFile } from '../lib/render.js';

export const jobsPiece: Piece = {
  name: 'jobs',
  description: 'jobs/test.py (PySpark), jobs/test.q (Hive) and data/cars.csv',
  render({ model }) {
    return [
      templateFile('jobs', 'jobs/test.py', model),
      templateFile('jobs', 'jobs/test.q', model),
      templateFile('jobs', 'data/cars.csv', model),
    ];
  },
};
