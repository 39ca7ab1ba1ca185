import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { problemOf, useInvoicesQuery, type InvoiceFilters } from '../api';
import { StatusChip } from '../components/StatusChip';
import { Upload } from '../components/Upload';
import { useT } from '../i18n';
import { go } from '../route';

const STATUSES = ['PENDING', 'OCR', 'NEEDS_REVIEW', 'REJECTED', 'REGISTERED', 'FAILED'];
const PAGE = 50;

/** Uploads, and the invoices with filters and paging, their statuses kept live. */
export function Invoices({ canUpload }: { canUpload: boolean }) {
  const t = useT();
  const [filters, setFilters] = useState<InvoiceFilters>({});
  const [pages, setPages] = useState<(string | undefined)[]>([undefined]);
  const after = pages[pages.length - 1];
  // Statuses change as the workers go: looked at again every two seconds.
  const { data, error, isFetching } = useInvoicesQuery(
    { ...filters, after, limit: PAGE },
    { pollingInterval: 2000, skipPollingIfUnfocused: true },
  );
  const set = (key: keyof InvoiceFilters) => (e: { target: { value: string } }) => {
    setFilters((f) => ({ ...f, [key]: e.target.value || undefined }));
    setPages([undefined]);
  };

  return (
    <Stack spacing={3}>
      {canUpload && (
        <Paper sx={{ p: 2 }} component="section" aria-labelledby="upload-title">
          <Typography id="upload-title" variant="h6" component="h2" gutterBottom>
            {t.upload}
          </Typography>
          <Upload />
        </Paper>
      )}
      <Paper sx={{ p: 2 }} component="section" aria-labelledby="invoices-title">
        <Typography id="invoices-title" variant="h6" component="h2" gutterBottom>
          {t.invoices}
        </Typography>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mb: 2 }}>
          <TextField select label={t.status} value={filters.status ?? ''} onChange={set('status')} sx={{ minWidth: 200 }}>
            <MenuItem value="">{t.all}</MenuItem>
            {STATUSES.map((s) => (
              <MenuItem key={s} value={s}>
                {t.statuses[s]}
              </MenuItem>
            ))}
          </TextField>
          <TextField label={t.seller} value={filters.seller_nit ?? ''} onChange={set('seller_nit')} />
          <TextField label={t.from} type="date" value={filters.from ?? ''} onChange={set('from')} slotProps={{ inputLabel: { shrink: true } }} />
          <TextField label={t.to} type="date" value={filters.to ?? ''} onChange={set('to')} slotProps={{ inputLabel: { shrink: true } }} />
        </Stack>
        {error && <Alert severity="error">{problemOf(error)}</Alert>}
        <Table size="small" aria-busy={isFetching}>
          <TableHead>
            <TableRow>
              <TableCell>{t.number}</TableCell>
              <TableCell>{t.seller}</TableCell>
              <TableCell>{t.status}</TableCell>
              <TableCell align="right">{t.total}</TableCell>
              <TableCell>{t.uploaded}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data?.items.map((invoice) => (
              <TableRow
                key={invoice.invoice_id}
                hover
                data-invoice={invoice.invoice_id}
                sx={{ cursor: 'pointer' }}
                onClick={() => go(`/invoices/${invoice.invoice_id}`)}
              >
                <TableCell>
                  <a href={`#/invoices/${invoice.invoice_id}`}>{invoice.invoice_number ?? invoice.invoice_id}</a>
                </TableCell>
                <TableCell>{invoice.seller_nit ?? '—'}</TableCell>
                <TableCell>
                  <StatusChip status={invoice.processing_status} />
                </TableCell>
                <TableCell align="right">{invoice.total_amount ?? '—'}</TableCell>
                <TableCell>{invoice.created_at.replace('T', ' ').slice(0, 19)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {data && data.items.length === 0 && <Typography sx={{ mt: 2 }}>{t.noInvoices}</Typography>}
        <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
          <Button disabled={pages.length < 2} onClick={() => setPages((p) => p.slice(0, -1))}>
            {t.back}
          </Button>
          <Button disabled={!data?.next} onClick={() => data?.next && setPages((p) => [...p, data.next ?? undefined])}>
            {t.more}
          </Button>
        </Stack>
      </Paper>
    </Stack>
  );
}
