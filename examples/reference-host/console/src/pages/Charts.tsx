import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Grid from '@mui/material/Grid2';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { problemOf, useDailyQuery } from '../api';
import { BarChart } from '../components/BarChart';
import { useT } from '../i18n';

/** Registrations and commissions a day, processing time and OCR accuracy. */
export function Charts() {
  const t = useT();
  const [days, setDays] = useState(14);
  const { data, error } = useDailyQuery(days, { pollingInterval: 10_000 });
  if (error) return <Alert severity="error">{problemOf(error)}</Alert>;
  const series = data?.days ?? [];
  return (
    <Stack spacing={3}>
      <TextField select label={t.period} value={days} onChange={(e) => setDays(Number(e.target.value))} sx={{ maxWidth: 200 }}>
        {[7, 14, 30, 90].map((d) => (
          <MenuItem key={d} value={d}>
            {d} {t.daysWord}
          </MenuItem>
        ))}
      </TextField>
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 6 }}>
          <Paper sx={{ p: 2 }}>
            <BarChart
              title={t.registeredPerDay}
              points={series.map((d) => ({ label: d.day, value: d.statuses.REGISTERED ?? 0 }))}
            />
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Paper sx={{ p: 2 }}>
            <BarChart
              title={t.commissionPerDay}
              color="#1b5e20"
              points={series.map((d) => ({ label: d.day, value: Number(d.commission), shown: d.commission }))}
            />
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Paper sx={{ p: 2 }}>
            <Typography variant="subtitle1">{t.processingTime}</Typography>
            <Typography variant="h4" component="p">
              {data?.processing.mean_seconds != null ? `${data.processing.mean_seconds.toFixed(1)} s` : '—'}
            </Typography>
            <Typography variant="body2">
              {data?.processing.count ?? 0} {t.invoices.toLowerCase()}
            </Typography>
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Paper sx={{ p: 2 }}>
            <Typography variant="subtitle1">{t.ocrAccuracy}</Typography>
            <Typography variant="h4" component="p">
              {data?.ocr.accuracy_percent != null ? `${data.ocr.accuracy_percent.toFixed(1)} %` : '—'}
            </Typography>
            <Typography variant="body2">
              {data?.ocr.trusted ?? 0} / {data?.ocr.fields ?? 0}
            </Typography>
          </Paper>
        </Grid>
      </Grid>
    </Stack>
  );
}
