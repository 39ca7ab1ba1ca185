// A bar chart in SVG: one bar a point, its value in its title (shown on hover, read by screen
// readers), the figure named by its caption.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useId } from 'react';

export interface Point {
  label: string;
  value: number;
  /** The value as shown (a decimal string for money). */
  shown?: string;
}

const WIDTH = 640;
const HEIGHT = 200;
const AXIS = 24;

export function BarChart({ title, points, color = '#0d47a1' }: { title: string; points: Point[]; color?: string }) {
  const id = useId();
  const max = Math.max(1, ...points.map((p) => p.value));
  const step = points.length ? (WIDTH - 8) / points.length : WIDTH;
  const bar = Math.max(2, step * 0.7);
  return (
    <Box component="figure" sx={{ m: 0 }}>
      <Typography component="figcaption" id={id} variant="subtitle1">
        {title}
      </Typography>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`} width="100%" role="img" aria-labelledby={id}>
        <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="#616161" />
        {points.map((p, i) => {
          const h = (p.value / max) * (HEIGHT - 16);
          const x = 4 + i * step + (step - bar) / 2;
          return (
            <g key={p.label}>
              <rect x={x} y={HEIGHT - h} width={bar} height={h} fill={color}>
                <title>{`${p.label}: ${p.shown ?? p.value}`}</title>
              </rect>
              {(points.length <= 16 || i % Math.ceil(points.length / 8) === 0) && (
                <text x={x + bar / 2} y={HEIGHT + 16} fontSize={11} textAnchor="middle" fill="#212121">
                  {p.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </Box>
  );
}
