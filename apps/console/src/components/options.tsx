/** Option lists shared by the console's forms and filters. */
import { ACTIONS } from '../lib/constants';
import type { Strings } from '../lib/i18n';

export function ActionOptions({ t }: { t: Strings }) {
  return (
    <>
      {ACTIONS.map((a) => (
        <option key={a} value={a}>
          {t.actions[a]}
        </option>
      ))}
    </>
  );
}
