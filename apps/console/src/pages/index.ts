/**
 * Every page of the console, in navigation order. The shell shows a page when whoami says the token
 * passes one of the page's access rules; nothing else decides who sees what.
 */
import { accessPage } from './access';
import { auditPage } from './audit';
import { clustersPage } from './clusters';
import { complaintPage } from './complaint';
import { complaintsPage } from './complaints';
import { directoryPage } from './directory';
import { healthPage } from './health';
import { historyPage } from './history';
import { inboxPage } from './inbox';
import { intakePage } from './intake';
import { outboxPage } from './outbox';
import { overviewPage } from './overview';
import type { PageDef } from './page';
import { problemsPage } from './problems';
import { receivedPage } from './received';
import { referralsPage } from './referrals';
import { reviewPage } from './review';
import { sentPage } from './sent';
import { tokensPage } from './tokens';

export const PAGES: readonly PageDef[] = [
  overviewPage,
  referralsPage,
  historyPage,
  clustersPage,
  healthPage,
  directoryPage,
  inboxPage,
  receivedPage,
  outboxPage,
  sentPage,
  complaintsPage,
  complaintPage,
  intakePage,
  problemsPage,
  auditPage,
  accessPage,
  reviewPage,
  tokensPage,
];
