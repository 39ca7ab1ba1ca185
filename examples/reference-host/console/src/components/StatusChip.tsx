import Chip from '@mui/material/Chip';
import { useT } from '../i18n';

const colors: Record<string, 'default' | 'info' | 'warning' | 'error' | 'success'> = {
  PENDING: 'default',
  OCR: 'info',
  NEEDS_REVIEW: 'warning',
  REJECTED: 'error',
  REGISTERED: 'success',
  FAILED: 'error',
};

/** An invoice's status, in words and colour. */
export function StatusChip({ status }: { status: string }) {
  const t = useT();
  return (
    <Chip
      size="small"
      color={colors[status] ?? 'default'}
      label={t.statuses[status] ?? status}
      data-status={status}
    />
  );
}
