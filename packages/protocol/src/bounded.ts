/**
 * The protocol's caches of what recurs (header checks per header text, encoded headers per key, IP
 * checks per text): plain maps bounded without bookkeeping. `keep` stores a value and returns it,
 * emptying the map first when it holds `limit` entries; a caller looks up with `get` and keeps on a miss.
 */
export function keep<K, V>(map: Map<K, V>, limit: number, key: K, value: V): V {
  if (map.size >= limit) map.clear();
  map.set(key, value);
  return value;
}
