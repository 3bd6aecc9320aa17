/**
 * Federation health: each member's last contact, whether its health endpoint answered the office's
 * latest probe (one cached probe per member on the server, whoever reads), its directory serial, the
 * messages it holds for the office, and its keys. Polls every 5 s: the probes behind it are cached 15 s.
 */
import { useQuery } from '@tanstack/react-query';
import { Table } from '../components/Table';
import { format } from '../lib/i18n';
import { ErrorNote, useSession } from '../lib/session';
import type { PageDef } from './page';

function Health() {
  const { client, t, f } = useSession();
  const health = useQuery({ queryKey: ['health'], queryFn: () => client.liaison.health.query(), refetchInterval: 5000 });
  return (
    <>
      <h1>{t.health.title}</h1>
      <ErrorNote error={health.error} />
      {health.data ? <p>{format(t.health.serial, { serial: health.data.serial ?? '–' })}</p> : null}
      <p className="help">{t.health.probeHelp}</p>
      <Table columns={[t.health.member, t.health.reachable, t.health.lastContact, t.health.serialInUse, t.health.queued, t.health.keys]}>
        {(health.data?.members ?? []).map((m) => (
          <tr key={m.country} data-member={m.country} data-reachable={m.reachable ? 'yes' : 'no'}>
            <th scope="row">
              {m.role === 'liaison' ? t.outbox.liaison : f.country(m.country)} <span className="help">{m.country}</span>
            </th>
            <td className={m.reachable ? '' : 'warn'}>
              {m.reachable ? t.health.yes : t.health.unreachable}
              <span className="help"> · {format(t.health.probedAt, { time: f.time(m.probedAt) })}</span>
            </td>
            <td>
              {m.lastContact ? f.time(m.lastContact) : t.health.never}
              {m.silent ? <span className="warn"> · {t.health.silent}</span> : null}
            </td>
            <td>{m.directorySerial ?? '–'}</td>
            <td>{m.queued === null ? '–' : f.number(m.queued)}</td>
            <td>
              {m.keys.map((k) => (
                <div key={k.kid}>
                  <span className="mono">{k.kid.slice(0, 10)}…</span> {format(t.health.expires, { date: f.day(k.exp) })}
                  {k.expiringSoon ? <span className="warn"> · {t.health.expiringSoon}</span> : null}
                  {k.revoked ? <span className="warn"> · {t.health.revoked}</span> : null}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export const healthPage: PageDef = { id: 'health', label: (t) => t.nav.health, roles: ['liaison.read'], nav: true, Component: Health };
