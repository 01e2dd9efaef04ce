/** The typed range error the setters of `parameter` revert with: `DepthOutOfRange` for `depth`. */
export const rangeError = (parameter: string): string => `${parameter[0].toUpperCase()}${parameter.slice(1)}OutOfRange`;

/** Its arguments, as `ISluiceErrors` declares them: `(value, max)` when the bound below is zero, else `(value, min, max)`. */
export const rangeArgs = (value: bigint, min: bigint, max: bigint): bigint[] =>
  min === 0n ? [value, max] : [value, min, max];
