/** The largest seed: seeds are 32-bit signed integers wherever they are stored (runs.seed is INTEGER). */
export const MAX_SEED = 2 ** 31 - 1;
