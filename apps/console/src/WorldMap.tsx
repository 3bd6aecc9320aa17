/**
 * The world map with referral flows: real country shapes (world-atlas, Natural Earth 1:110m), arcs from
 * the referring country to the one that holds the IP. Loaded lazily: the shapes are not in the initial bundle.
 */
import { geoCentroid, geoNaturalEarth1, geoPath } from 'd3-geo';
import codes from 'i18n-iso-countries/codes.json';
import { useMemo } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';

const WIDTH = 960;
const HEIGHT = 500;

// Countries too small for the 1:110m shapes: their capital's coordinates.
const SMALL: Record<string, [number, number]> = {
  HK: [114.17, 22.32],
  MO: [113.54, 22.19],
  SG: [103.82, 1.35],
  BH: [50.58, 26.23],
  MT: [14.51, 35.9],
  MV: [73.51, 4.18],
  LU: [6.13, 49.61],
  AD: [1.52, 42.51],
  MC: [7.42, 43.74],
  LI: [9.55, 47.14],
};

const numericToAlpha2 = new Map((codes as string[][]).map((c) => [c[2] as string, c[0] as string]));

export interface Flow {
  from: string;
  to: string;
  count: number;
}

export default function WorldMap({ flows, label }: { flows: Flow[]; label: string }) {
  const { countries, path, centroid } = useMemo(() => {
    const topo = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
    const fc = feature(topo, topo.objects.countries);
    const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], fc);
    const path = geoPath(projection);
    const centres = new Map<string, [number, number]>();
    for (const f of fc.features) {
      const a2 = numericToAlpha2.get(String(f.id).padStart(3, '0'));
      if (a2) centres.set(a2, projection(geoCentroid(f)) as [number, number]);
    }
    for (const [a2, lonLat] of Object.entries(SMALL)) centres.set(a2, projection(lonLat) as [number, number]);
    return { countries: fc.features, path, centroid: (a2: string) => centres.get(a2) };
  }, []);
  const involved = new Set(flows.flatMap((f) => [f.from, f.to]));
  const max = Math.max(1, ...flows.map((f) => f.count));
  return (
    <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} className="map">
      <title>{label}</title>
      <g>
        {countries.map((f) => {
          const a2 = numericToAlpha2.get(String(f.id).padStart(3, '0')) ?? '';
          return <path key={String(f.id) + f.properties.name} d={path(f) ?? ''} className={involved.has(a2) ? 'land involved' : 'land'} />;
        })}
      </g>
      <g>
        {flows.map((f) => {
          const a = centroid(f.from);
          const b = centroid(f.to);
          if (!a || !b) return null;
          const mx = (a[0] + b[0]) / 2;
          const my = (a[1] + b[1]) / 2 - Math.hypot(b[0] - a[0], b[1] - a[1]) / 4;
          return (
            <path
              key={`${f.from}-${f.to}`}
              d={`M${a[0]},${a[1]} Q${mx},${my} ${b[0]},${b[1]}`}
              className="flow"
              strokeWidth={1 + (4 * f.count) / max}
              data-flow={`${f.from}-${f.to}`}
            >
              <title>{`${f.from} → ${f.to}: ${f.count}`}</title>
            </path>
          );
        })}
      </g>
      <g>
        {[...involved].map((c) => {
          const p = centroid(c);
          return p ? <circle key={c} cx={p[0]} cy={p[1]} r={3} className="dot" /> : null;
        })}
      </g>
    </svg>
  );
}
