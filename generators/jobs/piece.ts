/** jobs/test.py (PySpark), jobs/test.q (Hive) and their sample data, data/cars.csv. */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const jobsPiece: Piece = {
  name: 'jobs',
  namesCertificate: false,
  render({ model }) {
    const data = { m: model, a: model.answers };
    return [
      { path: 'jobs/test.py', contents: renderTemplate('jobs', 'test.py.ejs', data) },
      { path: 'jobs/test.q', contents: renderTemplate('jobs', 'test.q.ejs', data) },
      { path: 'data/cars.csv', contents: renderTemplate('jobs', 'cars.csv.ejs', data) },
    ];
  },
};
