export * from './schema';
export * from './decoder';
