/**
 * The purpose of reading a case's personal data (issue #21): a case reference the officer gives once
 * per case, kept for this browser tab only (sessionStorage, like the token) and sent with every read of
 * that case. The server records it; the same shape is checked here as it is typed.
 */

/** The server's rule (apps/node/src/privacy/purpose.ts): 3 to 64 of letters, digits and . _ : / # -. */
export const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{2,63}$/;

const key = (caseId: string) => `firstlight.purpose.${caseId}`;

export function purposeFor(caseId: string): string | null {
  return sessionStorage.getItem(key(caseId));
}

export function rememberPurpose(caseId: string, purpose: string | null): void {
  if (purpose) sessionStorage.setItem(key(caseId), purpose);
  else sessionStorage.removeItem(key(caseId));
}
