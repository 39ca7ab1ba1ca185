import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import Grid from '@mui/material/Grid2';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useSelector } from 'react-redux';
import { type DoubtfulField, objectUrl, problemOf, useCorrectMutation } from '../api';
import { useT } from '../i18n';
import type { RootState } from '../store';

type Words = ReturnType<typeof useT>;

/** A field's name for a person: `lines[2].base` is "Línea 3 · total". */
export function fieldLabel(path: string, t: Words): string {
  const line = /^lines\[(\d+)\]\.(\w+)$/.exec(path);
  if (line) return `${t.fields.line} ${Number(line[1]) + 1} · ${t.fields[line[2]] ?? line[2]}`;
  const tax = /^tax_totals\.(\w+)$/.exec(path);
  if (tax) return `${t.fields.tax} ${tax[1] === '01' ? 'IVA' : tax[1]}`;
  return t.fields[path] ?? path;
}

/** Why a field is doubtful: its confidence and the checks it failed. */
function why(field: DoubtfulField, t: Words): string {
  const failed = (field.checks ?? []).filter((c) => c.startsWith('!')).map((c) => c.slice(1));
  const confidence = `${t.confidence} ${Math.round(field.confidence)}`;
  return failed.length > 0 ? `${confidence} · ${t.failedChecks} ${failed.join(', ')}` : confidence;
}

/** One page of the uploaded scan, fetched with the session's token. */
function PageImage({ id, page, zoomed }: { id: string; page: number; zoomed: boolean }) {
  const t = useT();
  const token = useSelector((s: RootState) => s.session.token);
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let current: string | null = null;
    let live = true;
    setUrl(undefined);
    void objectUrl(`/invoices/${encodeURIComponent(id)}/pages/${page}?width=1400`, token).then((u) => {
      current = u;
      if (live) setUrl(u);
      else if (u) URL.revokeObjectURL(u);
    });
    return () => {
      live = false;
      if (current) URL.revokeObjectURL(current);
    };
  }, [id, page, token]);
  if (url === null) return <Alert severity="info">{t.noPage}</Alert>;
  if (url === undefined) return <Box sx={{ height: 400 }} aria-busy="true" />;
  return (
    <Box
      sx={{ maxHeight: 720, overflow: 'auto', border: 1, borderColor: 'divider' }}
      tabIndex={0}
      role="region"
      aria-label={t.pageImage(page)}
    >
      <img src={url} alt={t.pageImage(page)} style={{ width: zoomed ? '200%' : '100%', display: 'block' }} />
    </Box>
  );
}

/**
 * The review of a scanned invoice's doubtful fields: the page on one side, the fields the
 * reader doubted on the other, highlighted, each with its value as read to confirm or correct;
 * submitting registers the invoice again with them (the host audits each change).
 */
export function FieldReview({ id, fields, canWrite }: { id: string; fields: DoubtfulField[]; canWrite: boolean }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const [zoomed, setZoomed] = useState(false);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.filter((f) => f.correctable).map((f) => [f.path, f.value ?? ''])),
  );
  const [reason, setReason] = useState('');
  const [correct, corrected] = useCorrectMutation();

  const submit = () => {
    const corrections = fields
      .filter((f) => f.correctable)
      .map((f) => ({ path: f.path, value: (values[f.path] ?? '').trim() }));
    void correct({ id, corrections, reason: reason.trim() || undefined });
  };

  return (
    <Paper sx={{ p: 2 }} component="section" aria-labelledby="field-review-title">
      <Typography id="field-review-title" variant="h6" component="h2">
        {t.fieldReview}
      </Typography>
      <Typography variant="body2" sx={{ mb: 2 }}>
        {t.fieldReviewHelp}
      </Typography>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 7 }}>
          <Stack direction="row" spacing={1} alignItems="center" sx={{ mb: 1 }}>
            <Button size="small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              {t.previousPage}
            </Button>
            <Typography variant="body2">
              {t.page} {page}
            </Typography>
            <Button size="small" onClick={() => setPage(page + 1)}>
              {t.nextPage}
            </Button>
            <FormControlLabel
              control={<Switch checked={zoomed} onChange={(e) => setZoomed(e.target.checked)} />}
              label={t.zoom}
            />
          </Stack>
          <PageImage id={id} page={page} zoomed={zoomed} />
        </Grid>
        <Grid size={{ xs: 12, md: 5 }}>
          <Stack spacing={2} component="form" aria-label={t.fieldReview} onSubmit={(e) => { e.preventDefault(); submit(); }}>
            {fields.map((field) =>
              field.correctable ? (
                <TextField
                  key={field.path}
                  label={fieldLabel(field.path, t)}
                  value={values[field.path] ?? ''}
                  onChange={(e) => setValues({ ...values, [field.path]: e.target.value })}
                  helperText={why(field, t)}
                  disabled={!canWrite}
                  multiline={field.path === 'cufe'}
                  inputProps={{ 'data-path': field.path, spellCheck: false }}
                  sx={{
                    '& .MuiInputBase-root': { bgcolor: '#fff8e1' },
                    '& .MuiOutlinedInput-notchedOutline': { borderColor: 'warning.dark', borderWidth: 2 },
                  }}
                />
              ) : (
                <Alert key={field.path} severity="warning">
                  <strong>{fieldLabel(field.path, t)}</strong> · {why(field, t)}. {t.notCorrectable}
                </Alert>
              ),
            )}
            {canWrite && (
              <>
                <TextField label={t.correctionReason} value={reason} onChange={(e) => setReason(e.target.value)} />
                <Button type="submit" variant="contained" disabled={corrected.isLoading}>
                  {t.resubmit}
                </Button>
              </>
            )}
            {corrected.isSuccess && <Alert severity="success">{t.corrected}</Alert>}
            {corrected.isError && <Alert severity="error">{problemOf(corrected.error)}</Alert>}
          </Stack>
        </Grid>
      </Grid>
    </Paper>
  );
}
