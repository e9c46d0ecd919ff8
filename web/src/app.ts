// The application's shared state: who is signed in, and the message the login page shows.
import { Me, setCsrf } from './api';

export const session: { me: Me | null; flash: string } = { me: null, flash: '' };

export function setMe(me: Me | null): void {
  session.me = me;
  setCsrf(me?.csrf ?? '');
}

export function role(): string {
  return session.me?.user.role ?? '';
}

export function isAdmin(): boolean {
  return role() === 'admin';
}

export function canAcquire(): boolean {
  return role() === 'admin' || role() === 'examiner';
}

export function canScan(): boolean {
  return canAcquire() || role() === 'investigator';
}

export function canCreateCase(): boolean {
  return canScan();
}

// Adds and removes 24/7 directory entries.
export function canManageDirectory(): boolean {
  return canScan();
}

// Writes, changes, finalizes and marks cooperation requests (in the cases they are a member of).
export function canDraftRequest(): boolean {
  return canScan() || role() === 'prosecutor';
}

export function canReadBytes(): boolean {
  return role() !== 'viewer' && role() !== '';
}

// The unit's name when the server tells it (GET /me "unit": a string or {"name"}).
export function unitName(): string {
  const u = session.me?.unit as any;
  if (typeof u === 'string') return u;
  if (u && typeof u.name === 'string') return u.name;
  return '';
}

export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
