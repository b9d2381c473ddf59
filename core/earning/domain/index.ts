export * from '../../kernel/currency';
export * from '../rule-schemas';
export * from './arithmetic';
export * from './demo';
export * from './engine';
export * from './schedule';
export * from './time';
export * from './windfall';
