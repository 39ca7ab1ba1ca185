import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  problemOf,
  useCurrentRulesQuery,
  useDianQuery,
  useLazyAuditVerifyQuery,
  useQueuesQuery,
  useRedriveMutation,
  useReloadCatalogMutation,
  useReloadRulesMutation,
} from '../api';
import { useT } from '../i18n';

type Queue = {
  queue: string;
  dead_letter_queue: string;
  stats: { visible: number; in_flight: number; dead_letters: number };
};

/** Dead-letter queues with redrive, reloads, the rules in force, the audit log's check, DIAN. */
export function Admin() {
  const t = useT();
  const queues = useQueuesQuery(undefined, { pollingInterval: 5000 });
  const rules = useCurrentRulesQuery();
  const dian = useDianQuery(undefined, { pollingInterval: 5000 });
  const [redrive, redriven] = useRedriveMutation();
  const [reloadRules, rulesReloaded] = useReloadRulesMutation();
  const [reloadCatalog, catalogReloaded] = useReloadCatalogMutation();
  const [verify, verified] = useLazyAuditVerifyQuery();
  const list = ((queues.data?.queues as Queue[] | undefined) ?? []) as Queue[];
  const failed = [redriven, rulesReloaded, catalogReloaded].find((m) => m.isError);

  return (
    <Stack spacing={3}>
      <Paper sx={{ p: 2 }} component="section" aria-labelledby="queues-title">
        <Typography id="queues-title" variant="h6" component="h2">
          {t.queues}
        </Typography>
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Queue</TableCell>
              <TableCell align="right">visible</TableCell>
              <TableCell align="right">in flight</TableCell>
              <TableCell align="right">DLQ</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {list.map((q) => (
              <TableRow key={q.queue}>
                <TableCell>{q.queue}</TableCell>
                <TableCell align="right">{q.stats.visible}</TableCell>
                <TableCell align="right">{q.stats.in_flight}</TableCell>
                <TableCell align="right">{q.stats.dead_letters}</TableCell>
                <TableCell>
                  <Button size="small" disabled={!q.stats.dead_letters} onClick={() => void redrive(q.dead_letter_queue)}>
                    {t.redrive} {q.dead_letter_queue}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
      <Paper sx={{ p: 2 }} component="section" aria-labelledby="rules-title">
        <Typography id="rules-title" variant="h6" component="h2">
          {t.currentRules}
        </Typography>
        <Typography
          component="pre"
          variant="body2"
          tabIndex={0}
          aria-label={t.currentRules}
          sx={{ whiteSpace: 'pre-wrap', maxHeight: 240, overflow: 'auto' }}
        >
          {rules.data ? JSON.stringify(rules.data, null, 2) : ''}
        </Typography>
        <Stack direction="row" spacing={2} sx={{ mt: 1 }}>
          <Button variant="outlined" onClick={() => void reloadRules()}>
            {t.reloadRules}
          </Button>
          <Button variant="outlined" onClick={() => void reloadCatalog()}>
            {t.reloadCatalog}
          </Button>
        </Stack>
        {(rulesReloaded.isSuccess || catalogReloaded.isSuccess) && <Alert severity="success">{t.done}</Alert>}
        {failed && <Alert severity="error">{problemOf(failed.error)}</Alert>}
      </Paper>
      <Paper sx={{ p: 2 }} component="section" aria-labelledby="audit-title">
        <Typography id="audit-title" variant="h6" component="h2">
          {t.auditLog}
        </Typography>
        <Button variant="outlined" onClick={() => void verify()}>
          {t.verify}
        </Button>
        {verified.data && (
          <Alert severity={verified.data.intact ? 'success' : 'error'} sx={{ mt: 1 }}>
            {String(verified.data.entries)} · {verified.data.intact ? t.intact : `${t.broken}: ${String(verified.data.problem)}`}
          </Alert>
        )}
      </Paper>
      <Paper sx={{ p: 2 }} component="section" aria-labelledby="dian-title">
        <Typography id="dian-title" variant="h6" component="h2">
          {t.dian}
        </Typography>
        <Typography component="pre" variant="body2">
          {dian.data ? JSON.stringify(dian.data, null, 2) : ''}
        </Typography>
      </Paper>
    </Stack>
  );
}
