import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid2';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useSelector } from 'react-redux';
import { problemOf, useDetailsQuery, useEmailCertificateMutation, useReviewMutation } from '../api';
import { FieldReview } from '../components/FieldReview';
import { StatusChip } from '../components/StatusChip';
import { useT } from '../i18n';
import type { RootState } from '../store';

// The registration as the host keeps it (core's JSON); only what the page shows.
interface Party {
  id: string;
  name: string;
  check_digit?: string | null;
}
interface Line {
  id: string;
  description: string;
  quantity: string;
  base: string;
}
interface Match {
  line_id: string;
  matched_by: string;
  score: number;
  needs_review: boolean;
  product?: { product_code: string; product_name: string; dian_classification: string };
}
interface Finding {
  code: string;
  severity: string;
  path: string;
  message_es: string;
  message_en: string;
}
interface Slice {
  tier: number;
  from: string;
  to: string | null;
  amount: string;
  factor: string;
  fee: string;
}
interface Group {
  group: string;
  label: string;
  rate_percent: string;
  base: string;
  fee: string;
  slices: Slice[];
}
interface Registration {
  registrable: boolean;
  registration_id: string;
  registration_date: string;
  invoice: { number: string; issue_date: string; cufe?: string; seller: Party; buyer: Party; lines: Line[]; totals: { payable: string } };
  lines: Match[];
  findings: Finding[];
  commission?: {
    fee: string;
    iva: string;
    total: string;
    limit: string;
    groups: Group[];
    rule_set: { id: string; version: string };
  };
  dian?: { verdict: string; source?: string; reasons: string[] };
  review?: { approved_by: string; reason: string; at: string };
}

/** Downloads a certificate with the session's token. */
async function download(id: string, token: string | null) {
  const answer = await fetch(`/certificates/${encodeURIComponent(id)}/download`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!answer.ok) return;
  const url = URL.createObjectURL(await answer.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${id}.pdf`;
  a.click();
  URL.revokeObjectURL(url);
}

/** One invoice: parties, lines with their products, findings, the commission, the certificate, review. */
export function InvoiceDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const t = useT();
  const lang = useSelector((s: RootState) => s.session.lang);
  const token = useSelector((s: RootState) => s.session.token);
  const { data, error } = useDetailsQuery(id, { pollingInterval: 2000 });
  const [review, reviewed] = useReviewMutation();
  const [email, emailed] = useEmailCertificateMutation();
  const [reason, setReason] = useState('');
  const [to, setTo] = useState('');

  if (error) return <Alert severity="error">{problemOf(error)}</Alert>;
  if (!data) return null;
  const invoice = data.invoice;
  const registration = data.registration as unknown as Registration | null;
  const matchOf = (lineId: string) => registration?.lines.find((m) => m.line_id === lineId);

  return (
    <Stack spacing={3} component="article" aria-labelledby="invoice-title">
      <Stack direction="row" spacing={2} alignItems="center">
        <Button href="#/invoices">{t.back}</Button>
        <Typography id="invoice-title" variant="h5" component="h1">
          {invoice.invoice_number ?? invoice.invoice_id}
        </Typography>
        <StatusChip status={invoice.processing_status} />
      </Stack>
      {invoice.error && <Alert severity={invoice.processing_status === 'REGISTERED' ? 'info' : 'warning'}>{invoice.error}</Alert>}

      {registration && (
        <Paper sx={{ p: 2 }} component="section" aria-label={t.parties}>
          <Grid container spacing={2}>
            {[
              [t.sellerParty, registration.invoice.seller],
              [t.buyer, registration.invoice.buyer],
            ].map(([label, party]) => (
              <Grid key={label as string} size={{ xs: 12, md: 6 }}>
                <Typography variant="overline">{label as string}</Typography>
                <Typography>{(party as Party).name}</Typography>
                <Typography variant="body2">
                  NIT {(party as Party).id}
                  {(party as Party).check_digit ? `-${(party as Party).check_digit}` : ''}
                </Typography>
              </Grid>
            ))}
          </Grid>
          <Typography variant="body2" sx={{ mt: 1 }}>
            {registration.registration_id} · {registration.registration_date} · {t.total} {registration.invoice.totals.payable}
          </Typography>
        </Paper>
      )}

      {registration && (
        <Paper sx={{ p: 2 }} component="section" aria-labelledby="lines-title">
          <Typography id="lines-title" variant="h6" component="h2">
            {t.lines}
          </Typography>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>#</TableCell>
                <TableCell>{t.details}</TableCell>
                <TableCell>{t.product}</TableCell>
                <TableCell align="right">{t.score}</TableCell>
                <TableCell align="right">Base</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {registration.invoice.lines.map((line) => {
                const match = matchOf(line.id);
                return (
                  <TableRow key={line.id}>
                    <TableCell>{line.id}</TableCell>
                    <TableCell>{line.description}</TableCell>
                    <TableCell>
                      {match?.product
                        ? `${match.product.product_code} · ${match.product.product_name} (${match.product.dian_classification})`
                        : '—'}
                      {match?.needs_review && <Chip size="small" color="warning" label={t.review} sx={{ ml: 1 }} />}
                    </TableCell>
                    <TableCell align="right">
                      {/* A product found by its code needs no score. */}
                      {!match ? '—' : match.matched_by === 'code' ? t.byItsCode : match.score.toFixed(2)}
                    </TableCell>
                    <TableCell align="right">{line.base}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Paper>
      )}

      {registration && registration.findings.length > 0 && (
        <Paper sx={{ p: 2 }} component="section" aria-labelledby="findings-title">
          <Typography id="findings-title" variant="h6" component="h2">
            {t.findings}
          </Typography>
          <Stack spacing={1}>
            {registration.findings.map((f, i) => (
              <Alert key={`${f.code}-${i}`} severity={f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info'}>
                <strong>{t.severity[f.severity] ?? f.severity}</strong> · {f.code}: {lang === 'es' ? f.message_es : f.message_en}
              </Alert>
            ))}
          </Stack>
        </Paper>
      )}

      {registration?.commission && (
        <Paper sx={{ p: 2 }} component="section" aria-labelledby="commission-title">
          <Typography id="commission-title" variant="h6" component="h2">
            {t.commission}: {registration.commission.total}
          </Typography>
          <Typography variant="body2">
            fee {registration.commission.fee} + IVA {registration.commission.iva} · {t.limit}:{' '}
            {t.limits[registration.commission.limit] ?? registration.commission.limit} · {t.ruleSet}{' '}
            {registration.commission.rule_set.id} {registration.commission.rule_set.version}
          </Typography>
          {registration.commission.groups.map((g) => (
            <Table key={g.group} size="small" sx={{ mt: 1 }} aria-label={g.label}>
              <TableHead>
                <TableRow>
                  <TableCell colSpan={5}>
                    {g.label} · base {g.base} · {g.rate_percent} % · {g.fee}
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {g.slices.map((s) => (
                  <TableRow key={s.tier}>
                    <TableCell>#{s.tier}</TableCell>
                    <TableCell>
                      {s.from} – {s.to ?? '∞'}
                    </TableCell>
                    <TableCell align="right">{s.amount}</TableCell>
                    <TableCell align="right">× {s.factor}</TableCell>
                    <TableCell align="right">{s.fee}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ))}
        </Paper>
      )}

      {invoice.certificate_id && (
        <Paper sx={{ p: 2 }} component="section" aria-labelledby="certificate-title">
          <Typography id="certificate-title" variant="h6" component="h2">
            {t.certificate} {invoice.certificate_id}
          </Typography>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 1 }}>
            <Button variant="contained" onClick={() => void download(invoice.certificate_id ?? '', token)}>
              {t.download}
            </Button>
            {canWrite && (
              <>
                <TextField size="small" type="email" label={t.email} value={to} onChange={(e) => setTo(e.target.value)} />
                <Button disabled={!to} onClick={() => void email({ id: invoice.certificate_id ?? '', to })}>
                  {t.sendByEmail}
                </Button>
              </>
            )}
          </Stack>
          {emailed.isSuccess && <Alert severity="success">{t.done}</Alert>}
          {emailed.isError && <Alert severity="error">{problemOf(emailed.error)}</Alert>}
        </Paper>
      )}

      {invoice.processing_status === 'NEEDS_REVIEW' && data.doubtful && data.doubtful.length > 0 && (
        // Keyed by the update, so that a new reading starts from its own values.
        <FieldReview key={invoice.updated_at} id={id} fields={data.doubtful} canWrite={canWrite} />
      )}

      {canWrite && invoice.processing_status === 'NEEDS_REVIEW' && (
        <Paper sx={{ p: 2 }} component="section" aria-labelledby="review-title">
          <Typography id="review-title" variant="h6" component="h2">
            {t.review}
          </Typography>
          {registration?.dian && registration.dian.reasons.length > 0 && (
            <Alert severity="warning">DIAN: {registration.dian.reasons.join('; ')}</Alert>
          )}
          <TextField fullWidth label={t.reason} value={reason} onChange={(e) => setReason(e.target.value)} sx={{ my: 2 }} />
          <Stack direction="row" spacing={2}>
            <Button
              variant="contained"
              color="success"
              disabled={!reason.trim() || registration?.registrable === false}
              onClick={() => void review({ id, decision: 'approve', reason })}>
              {t.approve}
            </Button>
            <Button variant="outlined" onClick={() => void review({ id, decision: 'recheck' })}>
              {t.recheck}
            </Button>
            <Button variant="outlined" color="error" disabled={!reason.trim()} onClick={() => void review({ id, decision: 'reject', reason })}>
              {t.reject}
            </Button>
          </Stack>
          {reviewed.isError && <Alert severity="error">{problemOf(reviewed.error)}</Alert>}
        </Paper>
      )}
      {registration?.review && (
        <Alert severity="info">
          {t.approve}: {registration.review.approved_by} · {registration.review.reason} · {registration.review.at}
        </Alert>
      )}
    </Stack>
  );
}
