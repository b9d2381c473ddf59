import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../local/event-pattern';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Purchase Completed',
  source: 'shop.checkout',
  account: '000000000000',
  time: '2026-11-23T08:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:shop:us-east-1:000000000000:store/42'],
  detail: {
    programId: 'demo',
    orderId: 'o-1',
    amount: 4250,
    currency: 'USD',
    member: { id: 'alice', tier: null },
    items: [
      { sku: 'A-1', qty: 2 },
      { sku: 'B-7', qty: 1 },
    ],
    tags: ['new', 'promo'],
    sourceIp: '10.0.0.33',
  },
};

describe('event patterns', () => {
  it('matches when every named field has one of the listed values', () => {
    expect(
      matchesPattern({ source: ['shop.checkout', 'shop.pos'], 'detail-type': ['Purchase Completed'] }, event),
    ).toBe(true);
    expect(matchesPattern({ source: ['shop.pos'] }, event)).toBe(false);
  });

  it('matches nested detail fields and fails on a missing field', () => {
    expect(matchesPattern({ detail: { member: { id: ['alice'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { member: { email: ['a@b'] } } }, event)).toBe(false);
  });

  it('compares numbers numerically and never a number with a string', () => {
    expect(matchesPattern({ detail: { amount: [4250] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [4250.0] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: ['4250'] } }, event)).toBe(false);
  });

  it('matches null only against a null value', () => {
    expect(matchesPattern({ detail: { member: { tier: [null] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { member: { missing: [null] } } }, event)).toBe(false);
  });

  it('matches an event array when any of its values is listed', () => {
    expect(matchesPattern({ detail: { tags: ['promo'] } }, event)).toBe(true);
    expect(matchesPattern({ resources: [{ prefix: 'arn:aws:shop:' }] }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: ['old'] } }, event)).toBe(false);
  });

  it('reaches into arrays of objects', () => {
    expect(matchesPattern({ detail: { items: { sku: ['B-7'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { items: { sku: ['C-1'] } } }, event)).toBe(false);
  });

  it('supports prefix and suffix, also ignoring case', () => {
    expect(matchesPattern({ source: [{ prefix: 'shop.' }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ suffix: '.checkout' }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ prefix: { 'equals-ignore-case': 'SHOP.' } }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ suffix: { 'equals-ignore-case': '.CHECKOUT' } }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ prefix: 'pos.' }] }, event)).toBe(false);
    expect(matchesPattern({ detail: { amount: [{ prefix: '42' }] } }, event)).toBe(false);
  });

  it('supports equals-ignore-case and wildcard', () => {
    expect(matchesPattern({ 'detail-type': [{ 'equals-ignore-case': 'purchase completed' }] }, event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ wildcard: 'Purchase *' }] }, event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ wildcard: '*Refund*' }] }, event)).toBe(false);
  });

  it('anything-but excludes single values, lists, prefixes and suffixes', () => {
    expect(matchesPattern({ detail: { currency: [{ 'anything-but': 'EUR' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { currency: [{ 'anything-but': ['USD', 'EUR'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { amount: [{ 'anything-but': [100, 200] }] } }, event)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': { prefix: 'shop.' } }] }, event)).toBe(false);
    expect(matchesPattern({ source: [{ 'anything-but': { suffix: '.pos' } }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': { 'equals-ignore-case': ['SHOP.CHECKOUT'] } }] }, event)).toBe(
      false,
    );
  });

  it('anything-but does not match a missing field', () => {
    expect(matchesPattern({ detail: { coupon: [{ 'anything-but': 'X' }] } }, event)).toBe(false);
  });

  it('exists checks the presence of a leaf', () => {
    expect(matchesPattern({ detail: { orderId: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { coupon: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { coupon: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { orderId: [{ exists: false }] } }, event)).toBe(false);
    // an object is not a leaf
    expect(matchesPattern({ detail: { member: [{ exists: false }] } }, event)).toBe(true);
  });

  it('numeric ranges', () => {
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>', 0, '<=', 5000] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>=', 4250] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['<', 4250] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['=', 4250] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { orderId: [{ numeric: ['>', 0] }] } }, event)).toBe(false);
  });

  it('cidr', () => {
    expect(matchesPattern({ detail: { sourceIp: [{ cidr: '10.0.0.0/24' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { sourceIp: [{ cidr: '10.0.1.0/24' }] } }, event)).toBe(false);
  });

  it('$or matches when one alternative matches, combined with the other fields', () => {
    const pattern = {
      source: ['shop.checkout'],
      $or: [{ detail: { currency: ['EUR'] } }, { detail: { amount: [{ numeric: ['>', 1000] }] } }],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern({ ...pattern, source: ['shop.pos'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { $or: [{ currency: ['EUR'] }, { orderId: ['o-2'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { $or: [{ currency: ['EUR'] }, { orderId: ['o-1'] }] } }, event)).toBe(true);
  });

  it('any of several matchers in a list may match', () => {
    expect(matchesPattern({ detail: { currency: ['EUR', { prefix: 'US' }] } }, event)).toBe(true);
  });

  it('an empty pattern matches nothing', () => {
    expect(matchesPattern({}, event)).toBe(false);
  });
});
