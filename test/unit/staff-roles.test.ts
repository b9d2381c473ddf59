import { describe, expect, it } from 'vitest';
import { grants, roleAtLeast, staffRole } from '../../core/programs/domain/staff-roles';

describe('staff roles', () => {
  it('rank viewer < support < manager < admin, each holding what the ones below hold', () => {
    expect(grants(['staff:manager'], 'staff:support')).toBe(true);
    expect(grants(['staff:manager'], 'staff:viewer')).toBe(true);
    expect(grants(['staff:support'], 'staff:manager')).toBe(false);
    expect(grants(['staff:viewer'], 'staff:support')).toBe(false);
    expect(grants(['staff:manager'], 'admin')).toBe(false);
  });

  it('keep an admin key an admin: the admin scope grants every role and every scope', () => {
    expect(staffRole(['admin'])).toBe('admin');
    for (const s of ['staff:viewer', 'staff:support', 'staff:manager', 'purchases:write', 'members:write'] as const)
      expect(grants(['admin'], s)).toBe(true);
  });

  it('let any staff role read members, and nothing else a shop integration does', () => {
    expect(grants(['staff:viewer'], 'members:read')).toBe(true);
    expect(grants(['staff:manager'], 'members:write')).toBe(false);
    expect(grants(['staff:manager'], 'purchases:write')).toBe(false);
  });

  it('give a shop key no staff role', () => {
    expect(staffRole(['members:read', 'purchases:write'])).toBeNull();
    expect(grants(['members:read', 'members:write', 'purchases:write'], 'staff:viewer')).toBe(false);
    expect(roleAtLeast(null, 'viewer')).toBe(false);
  });

  it('take the highest role a key carries', () => {
    expect(staffRole(['staff:viewer', 'staff:manager', 'members:read'])).toBe('manager');
  });
});
