// Alert severities, lowest first: apart from types.ts so rule parameter schemas can name them without a cycle.
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
