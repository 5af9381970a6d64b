import { describe, expect, test } from 'vitest';
import { splitStatements } from '../src/config/split-sql.js';

describe('splitting verify-sql into queries', () => {
  test.each([
    ['select 1; select 2;', ['select 1', 'select 2']],
    ['select 1\n;\nselect 2', ['select 1', 'select 2']],
    [
      "select count(*) > 0 from users where name <> 'a;b'; select 2",
      ["select count(*) > 0 from users where name <> 'a;b'", 'select 2'],
    ],
    ['select "odd;name" from t; select 2', ['select "odd;name" from t', 'select 2']],
    ["select 'it''s; fine'", ["select 'it''s; fine'"]],
    ['-- a comment; with a semicolon\nselect 1;', ['select 1']],
    ['/* block; comment */ select 1; select 2', ['select 1', 'select 2']],
    [
      'select $$a;b$$ = $$a;b$$; select $tag$x;y$tag$ is not null',
      ['select $$a;b$$ = $$a;b$$', 'select $tag$x;y$tag$ is not null'],
    ],
    ['  ;; ', []],
  ])('%j', (sql, expected) => {
    expect(splitStatements(sql)).toEqual(expected);
  });
});
