import { numberedPlaceholders } from './sql-executor';

describe('numberedPlaceholders', () => {
  it('numbers the `?` placeholders for PostgreSQL, in order', () => {
    expect(numberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ? OFFSET ?')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4 OFFSET $5');
    expect(numberedPlaceholders('?')).toBe('$1');
    expect(numberedPlaceholders('??x?')).toBe('$1$2x$3');
  });

  it('leaves a statement without placeholders as it is', () => {
    expect(numberedPlaceholders('SELECT 1')).toBe('SELECT 1');
    expect(numberedPlaceholders('')).toBe('');
  });
});
