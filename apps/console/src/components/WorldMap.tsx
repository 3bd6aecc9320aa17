/**
 * The map of referral flows: real country shapes (world-atlas, Natural Earth 1:110m), fitted to the
 * countries the flows involve, each named; an arrow from the referring country to the one that holds
 * the IP, its width by volume, with a legend. Clicking a country asks the page to filter by it; the
 * same filter is reachable by keyboard from the by-country table. Zoom and pan by buttons or drag.
 * Loaded lazily: the shapes are not in the initial bundle.
 */
import { type GeoPermissibleObjects, geoBounds, geoCentroid, geoNaturalEarth1, geoPath } from 'd3-geo';
import codes from 'i18n-iso-countries/codes.json';
import { useMemo, useRef, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';

const WIDTH = 960;
const HEIGHT = 500;
/** The most arcs drawn: beyond a few hundred a map is a hairball; the table holds the rest. */
export const MAX_ARCS = 150;

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
  // The other INTERPOL members without a 1:110m shape (the 196-country replay): Caribbean, Atlantic,
  // Indian Ocean and Pacific islands, San Marino and the Holy See.
  AG: [-61.85, 17.12],
  AW: [-70.03, 12.52],
  BB: [-59.62, 13.1],
  CV: [-23.51, 14.93],
  CW: [-68.93, 12.11],
  DM: [-61.39, 15.3],
  FM: [158.16, 6.92],
  GD: [-61.75, 12.06],
  KI: [173.0, 1.33],
  KM: [43.26, -11.7],
  KN: [-62.72, 17.3],
  LC: [-60.99, 14.01],
  MH: [171.38, 7.09],
  MU: [57.5, -20.16],
  NR: [166.92, -0.55],
  PW: [134.62, 7.5],
  SC: [55.45, -4.62],
  SM: [12.45, 43.94],
  ST: [6.73, 0.34],
  SX: [-63.05, 18.03],
  TO: [-175.2, -21.14],
  VA: [12.45, 41.9],
  VC: [-61.22, 13.16],
  WS: [-171.76, -13.83],
};

const numericToAlpha2 = new Map((codes as string[][]).map((c) => [c[2] as string, c[0] as string]));
const topo = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const shapes = feature(topo, topo.objects.countries).features.map((f) => ({
  a2: numericToAlpha2.get(String(f.id).padStart(3, '0')) ?? '',
  feature: f,
}));

export interface Flow {
  from: string;
  to: string;
  count: number;
}

export interface MapWords {
  label: string;
  legendTitle: string;
  legendArrow: string;
  legendCount: (n: number) => string;
  shown: string | null;
  zoomIn: string;
  zoomOut: string;
  fit: string;
}

/** Line width for a flow of `count` when the largest is `max`: by area (square root), 1 to 8 px. */
export const widthFor = (count: number, max: number) => 1 + 7 * Math.sqrt(count / Math.max(1, max));

export default function WorldMap({
  flows,
  selected,
  onSelect,
  linkFor,
  name,
  words,
}: {
  flows: Flow[];
  selected: string | null;
  onSelect: (country: string | null) => void;
  /** The URL that filters the page by a country (null: no filter). */
  linkFor: (country: string | null) => string;
  name: (code: string) => string;
  words: MapWords;
}) {
  const involved = useMemo(() => [...new Set(flows.flatMap((f) => [f.from, f.to]))].sort(), [flows]);
  const key = involved.join();
  const { path, centre } = useMemo(() => {
    // Fit to the involved countries (shapes, or the capitals of the small ones); the world when none.
    // Keyed by the joined codes, so a new flows array with the same countries does not refit.
    const countries = key === '' ? [] : key.split(',');
    const parts: GeoPermissibleObjects[] = [];
    // A shape across the antimeridian (Fiji, Russia) would stretch the frame round the whole world:
    // such a country counts by its centroid.
    for (const s of shapes)
      if (countries.includes(s.a2)) {
        const [[west], [east]] = geoBounds(s.feature);
        parts.push(west > east ? { type: 'Point', coordinates: geoCentroid(s.feature) } : s.feature);
      }
    for (const c of countries) if (SMALL[c]) parts.push({ type: 'Point', coordinates: SMALL[c] });
    const target: GeoPermissibleObjects =
      parts.length > 0
        ? { type: 'GeometryCollection', geometries: parts.map((p) => ('geometry' in p ? p.geometry : p)) as never }
        : { type: 'Sphere' };
    const projection = geoNaturalEarth1().fitExtent(
      [
        [40, 30],
        [WIDTH - 40, HEIGHT - 30],
      ],
      target,
    );
    // A single small country would fill the frame: never zoom closer than about 1,500 km across.
    if (projection.scale() > 2400) projection.scale(2400);
    const path = geoPath(projection);
    const centres = new Map<string, [number, number]>();
    for (const s of shapes) if (s.a2) centres.set(s.a2, projection(geoCentroid(s.feature)) as [number, number]);
    for (const [a2, lonLat] of Object.entries(SMALL)) centres.set(a2, projection(lonLat) as [number, number]);
    return { path, centre: (a2: string) => centres.get(a2) };
  }, [key]);
  const [view, setView] = useState({ k: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  const drawn = flows.slice(0, MAX_ARCS);
  const max = Math.max(1, ...drawn.map((f) => f.count));
  const zoom = (factor: number) =>
    setView((v) => {
      const k = Math.min(8, Math.max(1, v.k * factor));
      // Keep the centre of the frame where it is.
      return { k, x: WIDTH / 2 - ((WIDTH / 2 - v.x) * k) / v.k, y: HEIGHT / 2 - ((HEIGHT / 2 - v.y) * k) / v.k };
    });
  const select = (a2: string) => {
    if (drag.current?.moved) return;
    onSelect(selected === a2 ? null : a2);
  };
  const legendCounts = [...new Set([1, Math.round(max / 4), max].filter((n) => n >= 1))].sort((a, b) => a - b);
  return (
    <figure className="map-figure">
      <div className="map-controls">
        <button type="button" onClick={() => zoom(1.5)}>
          {words.zoomIn}
        </button>
        <button type="button" onClick={() => zoom(1 / 1.5)}>
          {words.zoomOut}
        </button>
        <button type="button" onClick={() => setView({ k: 1, x: 0, y: 0 })}>
          {words.fit}
        </button>
      </div>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: a click on a shape is a shortcut; the keyboard has the place links and the by-country table */}
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing holding links is a group, not a fieldset */}
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label={words.label}
        className="map"
        onClick={(e) => {
          // A click on an involved country's shape filters by it (its label is a link of its own).
          const a2 = (e.target as Element).closest('[data-country]')?.getAttribute('data-country');
          if (a2 && involved.includes(a2)) select(a2);
        }}
        onPointerDown={(e) => {
          drag.current = { x: e.clientX, y: e.clientY, moved: false };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d || e.buttons !== 1) return;
          const scale = WIDTH / (e.currentTarget.getBoundingClientRect().width || WIDTH);
          const dx = (e.clientX - d.x) * scale;
          const dy = (e.clientY - d.y) * scale;
          if (Math.abs(dx) + Math.abs(dy) < 3) return;
          d.moved = true;
          d.x = e.clientX;
          d.y = e.clientY;
          setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
        }}
        onPointerUp={() => {
          setTimeout(() => {
            drag.current = null;
          }, 0);
        }}
      >
        <title>{words.label}</title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="2.6" markerHeight="2.6" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="arrowhead" />
          </marker>
        </defs>
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          <rect x={-WIDTH} y={-HEIGHT} width={WIDTH * 3} height={HEIGHT * 3} className="sea" />
          <g>
            {shapes.map((s) => (
              <path
                key={`${String(s.feature.id)}${s.feature.properties.name}`}
                d={path(s.feature) ?? ''}
                className={`land${involved.includes(s.a2) ? ' involved' : ''}${selected === s.a2 ? ' selected' : ''}`}
                data-country={s.a2 || undefined}
                strokeWidth={0.5 / view.k}
              />
            ))}
          </g>
          <g>
            {drawn.map((f) => {
              const a = centre(f.from);
              const b = centre(f.to);
              if (!a || !b) return null;
              const mx = (a[0] + b[0]) / 2;
              const my = (a[1] + b[1]) / 2 - Math.hypot(b[0] - a[0], b[1] - a[1]) / 4;
              const dim = selected !== null && f.from !== selected && f.to !== selected;
              return (
                <path
                  key={`${f.from}-${f.to}`}
                  d={`M${a[0]},${a[1]} Q${mx},${my} ${b[0]},${b[1]}`}
                  className={dim ? 'flow dim' : 'flow'}
                  strokeWidth={widthFor(f.count, max) / view.k}
                  markerEnd="url(#arrow)"
                  data-flow={`${f.from}-${f.to}`}
                >
                  <title>{`${name(f.from)} → ${name(f.to)}: ${f.count.toLocaleString()}`}</title>
                </path>
              );
            })}
          </g>
          <g>
            {involved.map((c) => {
              const p = centre(c);
              if (!p) return null;
              return (
                // A link per place: the map is usable by keyboard, and the filter is a URL like any other.
                <a
                  key={c}
                  href={linkFor(selected === c ? null : c)}
                  className={selected === c ? 'place selected' : 'place'}
                  data-place={c}
                  aria-current={selected === c ? 'true' : undefined}
                >
                  <circle cx={p[0]} cy={p[1]} r={3.5 / view.k} className="dot" />
                  <text x={p[0] + 6 / view.k} y={p[1] - 6 / view.k} fontSize={13 / view.k} className="place-label">
                    {name(c)}
                  </text>
                </a>
              );
            })}
          </g>
        </g>
      </svg>
      <figcaption className="legend">
        <strong>{words.legendTitle}</strong>
        <span>
          <svg width="46" height="12" aria-hidden="true">
            <path d="M2,6 L40,6" className="flow" strokeWidth={2} markerEnd="url(#arrow)" />
          </svg>{' '}
          {words.legendArrow}
        </span>
        {legendCounts.map((n) => (
          <span key={n}>
            <svg width="40" height="12" aria-hidden="true">
              <path d="M2,6 L38,6" className="flow" strokeWidth={widthFor(n, max)} />
            </svg>{' '}
            {words.legendCount(n)}
          </span>
        ))}
        {words.shown ? <span className="help">{words.shown}</span> : null}
      </figcaption>
    </figure>
  );
}
