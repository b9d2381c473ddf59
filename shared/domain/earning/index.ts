export * from './arithmetic';
export * from './currency';
export * from './demo';
export * from './engine';
export * from './schedule';
export * from './schemas';
export * from './time';
export * from './windfall';
