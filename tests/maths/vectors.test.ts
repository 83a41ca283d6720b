import { describe, expect, it } from 'vitest';
import { matVec, matVecMany } from '../../src/maths/vectors';
import { seededRandom } from '../../src/maths/sampling';

describe('matVecMany', () => {
  it('gives what matVec gives for each vector, reading the matrix once', () => {
    const random = seededRandom(7);
    const rows = 37;
    const width = 11;
    const matrix = Float32Array.from({ length: rows * width }, () => random() - 0.5);
    const vectors = [0, 1, 2].map(() => Float64Array.from({ length: width }, () => random() * 2 - 1));
    const many = matVecMany(matrix, rows, width, vectors);
    vectors.forEach((vector, v) => expect(Array.from(many[v])).toEqual(Array.from(matVec(matrix, rows, width, vector))));
    expect(matVecMany(matrix, rows, width, [])).toEqual([]);
  });
});
