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
import {
  problemOf,
  useLazyClassificationQuery,
  useLazyProductQuery,
  useLazySearchProductsQuery,
} from '../api';
import { useT } from '../i18n';

type Row = { product_code?: string; product_name?: string; dian_classification?: string; unit_type?: string; score?: number };

/** Products: a typo-tolerant search, a product by code, a subheading's products. */
export function Products() {
  const t = useT();
  const [how, setHow] = useState<'search' | 'code' | 'classification'>('search');
  const [text, setText] = useState('');
  const [search, searched] = useLazySearchProductsQuery();
  const [byCode, coded] = useLazyProductQuery();
  const [byClass, classified] = useLazyClassificationQuery();
  const current = how === 'search' ? searched : how === 'code' ? coded : classified;
  const data = current.data as Record<string, unknown> | undefined;
  const rows: Row[] = data
    ? how === 'code'
      ? [((data.product as Row | undefined) ?? (data as Row))]
      : (((data.items as Row[] | undefined) ?? (data.products as Row[] | undefined)) ?? [])
    : [];

  return (
    <Paper sx={{ p: 2 }} component="section" aria-labelledby="products-title">
      <Typography id="products-title" variant="h6" component="h2" gutterBottom>
        {t.products}
      </Typography>
      <Stack
        component="form"
        direction={{ xs: 'column', sm: 'row' }}
        spacing={2}
        onSubmit={(e) => {
          e.preventDefault();
          const q = text.trim();
          if (!q) return;
          if (how === 'search') void search(q);
          else if (how === 'code') void byCode(q);
          else void byClass(q);
        }}
      >
        <TextField select label={t.search} value={how} onChange={(e) => setHow(e.target.value as typeof how)} sx={{ minWidth: 200 }}>
          <MenuItem value="search">{t.searchProducts}</MenuItem>
          <MenuItem value="code">{t.byCode}</MenuItem>
          <MenuItem value="classification">{t.byClassification}</MenuItem>
        </TextField>
        <TextField label={t.search} value={text} onChange={(e) => setText(e.target.value)} sx={{ flex: 1 }} />
        <Button type="submit" variant="contained">
          {t.search}
        </Button>
      </Stack>
      {current.isError && (
        <Alert severity="error" sx={{ mt: 2 }}>
          {problemOf(current.error)}
        </Alert>
      )}
      {rows.length > 0 && (
        <Table size="small" sx={{ mt: 2 }}>
          <TableHead>
            <TableRow>
              <TableCell>{t.byCode}</TableCell>
              <TableCell>{t.product}</TableCell>
              <TableCell>{t.byClassification}</TableCell>
              <TableCell align="right">{t.score}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((r, i) => (
              <TableRow key={`${r.product_code}-${i}`}>
                <TableCell>{r.product_code}</TableCell>
                <TableCell>{r.product_name}</TableCell>
                <TableCell>{r.dian_classification}</TableCell>
                <TableCell align="right">{typeof r.score === 'number' ? r.score.toFixed(2) : ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Paper>
  );
}
