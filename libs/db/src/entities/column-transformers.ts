import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigints arrive as strings; ids and amounts here stay within Number.MAX_SAFE_INTEGER. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A bigint[] column; node-postgres answers it as an array of strings. */
export const bigintArrayAsNumbers: ValueTransformer = {
  to: (value: number[] | null | undefined) => value,
  from: (value: string[] | null) => (value === null ? [] : value.map(Number)),
};
