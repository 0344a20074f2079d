import { profileFromClaims, usernameBase } from './external-accounts.service.js';

describe('usernameBase', () => {
  it.each([
    ['Anna Politkovskaya', 'Anna_Politkovskaya'],
    ['  José Ñúñez ', 'Jose_Nunez'],
    ['Дмитрий', 'reader'],
    ['a', 'reader'],
    [null, 'reader'],
    ['__x__y__', 'x__y'],
    ['A very long display name that goes on and on', 'A_very_long_display_name'],
  ])('%j -> %j', (name, expected) => {
    expect(usernameBase(name)).toBe(expected);
  });
});

describe('profileFromClaims', () => {
  const identity = { issuer: 'https://news.example.test', subject: '42' };

  it('takes the name, a verified address and the role values', () => {
    expect(
      profileFromClaims(identity, { name: 'Olga', email: 'Olga@News.Example.TEST', roles: ['editor', 7] }, 'roles'),
    ).toEqual({
      identity,
      name: 'Olga',
      email: 'olga@news.example.test',
      emailVerified: false,
      roles: ['editor'],
    });
  });

  it('counts the address as confirmed only when the provider says email_verified: true', () => {
    expect(profileFromClaims(identity, { email: 'olga@x.test', email_verified: true }, undefined).emailVerified).toBe(
      true,
    );
    expect(profileFromClaims(identity, { email: 'olga@x.test' }, undefined).emailVerified).toBe(false);
  });

  it('falls back to preferred_username, ignores an unverified or malformed address, and a role claim not configured', () => {
    const profile = profileFromClaims(
      identity,
      { preferred_username: 'olga_r', email: 'olga@x.test', email_verified: false, roles: 'admin' },
      undefined,
    );
    expect(profile).toEqual({ identity, name: 'olga_r', email: null, emailVerified: false, roles: undefined });
    expect(profileFromClaims(identity, { email: 'not an address' }, 'role').email).toBeNull();
  });
});
