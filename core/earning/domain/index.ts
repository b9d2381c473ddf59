export * from './arithmetic';
export * from '../../kernel/currency';
export * from './demo';
export * from './engine';
export * from './schedule';
export * from '../rule-schemas';
export * from './time';
export * from './windfall';
