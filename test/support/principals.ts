// The callers every X-6 test plays: anonymous, each staff role, three sellers (one not yet
// approved), three customers, and two kinds of bad key. A table keyed by these names makes a
// forgotten caller a compile error.
export const PRINCIPALS = [
  'anonymous',
  'admin',
  'ops',
  'support',
  'finance',
  'sellerAcme',
  'sellerGlobex',
  'sellerInitech',
  'customerA',
  'customerB',
  'customerDemo',
  'wrongKey',
  'malformedHeader',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];
