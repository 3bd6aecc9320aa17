/**
 * The options of a select whose values are codes the server knows (actions, urgencies, states, scam
 * types, decline reasons, roles), each shown in the reader's words. Shared by the console's forms and
 * filters so a list is written once; the "any" option of a filter stays with the filter.
 */
export function CodeOptions<C extends string>({ codes, words }: { codes: readonly C[]; words: Readonly<Record<C, string>> }) {
  return (
    <>
      {codes.map((c) => (
        <option key={c} value={c}>
          {words[c]}
        </option>
      ))}
    </>
  );
}
