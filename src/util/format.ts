// Numbers as the text outputs print them: one home for the percent formats every table and reason
// uses, so a rate reads the same in the run summary, the readout, the fit and the report.

/** 0.0123 → "1.23%" (`digits` after the point); "–" for a number that is not finite. */
export const percent = (x: number, digits = 2): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '–');

/** An interval's confidence level from its α: 0.05 → "95%", 0.1 → "90%", 0.025 → "97.5%". */
export const confidenceLevel = (alpha: number): string => `${Number((100 * (1 - alpha)).toFixed(2))}%`;

/** A lift with its sign: 0.0123 → "+1.2%", −0.004 → "-0.4%"; "–" for a number that is not finite. */
export const signedPercent = (x: number, digits = 1): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(digits)}%` : '–');
