/** The Cognito trigger suites' fixed clock (their fakes are in fakes/, one per port). */
export const fixedClock = { now: () => new Date('2026-11-01T12:00:00.000Z') };
