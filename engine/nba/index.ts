export * from './nba.types';
export * from './action-catalog';
export * from './eligibility';
export * from './holdout';
export * from './action-outcomes';
export * from './arbitration';
