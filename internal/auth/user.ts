/**
 * Who is calling the API (Kuma pkg/core/user/user.go): a name and groups.
 * Static identities are the admin, the anonymous caller and the control
 * plane itself; every user a token authenticates also gets the group
 * `mesh-system:authenticated`.
 */

export interface User {
  name: string;
  groups: string[];
}

export const ADMIN_GROUP = 'mesh-system:admin';
export const AUTHENTICATED_GROUP = 'mesh-system:authenticated';
export const UNAUTHENTICATED_GROUP = 'mesh-system:unauthenticated';

export const ADMIN_USER: User = { name: 'mesh-system:admin', groups: [ADMIN_GROUP] };
export const ANONYMOUS_USER: User = { name: 'mesh-system:anonymous', groups: [UNAUTHENTICATED_GROUP] };

/** The user as a token proved it: its groups plus mesh-system:authenticated (once). */
export function authenticated(u: User): User {
  return u.groups.includes(AUTHENTICATED_GROUP) ? u : { name: u.name, groups: [...u.groups, AUTHENTICATED_GROUP] };
}

export function isAnonymous(u: User): boolean {
  return u.name === ANONYMOUS_USER.name;
}

/** `name/group1,group2`, as Kuma's access errors print a user. */
export function userLabel(u: User): string {
  return `${u.name}/${u.groups.join(',')}`;
}
