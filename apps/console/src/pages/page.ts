/** What a page module exports: the shell builds the navigation and the routes from these alone. */
import type { ReactNode } from 'react';
import type { Access } from '../lib/api';
import type { Strings } from '../lib/i18n';

export interface PageDef {
  /** The first part of its URL: `#/id` or `#/id/arg`. */
  id: string;
  label: (t: Strings) => string;
  /**
   * The server's access rules (apps/node/src/api/access.ts) that open this page, any one of them:
   * whoami says which the signed-in token passes, so no role rule is copied here.
   */
  roles: readonly Access[];
  /** In the navigation bar; a case page (one referral, one complaint) is reached from its list instead. */
  nav: boolean;
  /** A case page's list (the navigation entry it belongs to), e.g. received → inbox. */
  parent?: string;
  Component: (props: { arg: string | null }) => ReactNode;
}
