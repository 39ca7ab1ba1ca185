import { useCallback, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useDispatch, useSelector } from 'react-redux';
import { api, uploadWithProgress } from '../api';
import { useT } from '../i18n';
import type { RootState } from '../store';

interface Sent {
  name: string;
  progress: number;
  answer?: string;
  failed?: boolean;
}

/** Drop or choose documents: each is uploaded with its progress, then listed with its answer. */
export function Upload() {
  const t = useT();
  const token = useSelector((s: RootState) => s.session.token);
  const dispatch = useDispatch();
  const input = useRef<HTMLInputElement>(null);
  const [sent, setSent] = useState<Sent[]>([]);
  const [over, setOver] = useState(false);

  const send = useCallback(
    async (files: File[]) => {
      const start = sent.length;
      setSent((s) => [...s, ...files.map((f) => ({ name: f.name, progress: 0 }))]);
      await Promise.all(
        files.map(async (file, i) => {
          const at = start + i;
          const update = (change: Partial<Sent>) =>
            setSent((s) => s.map((x, j) => (j === at ? { ...x, ...change } : x)));
          try {
            const { status, body } = await uploadWithProgress(file, token, (p) => update({ progress: p }));
            const ok = status === 200 || status === 202;
            update({
              answer: ok ? String(body.invoice_id) : `${body.code ?? status}: ${body.detail ?? ''}`,
              failed: !ok,
            });
          } catch {
            update({ answer: t.error, failed: true });
          }
        }),
      );
      dispatch(api.util.invalidateTags(['Invoice']));
    },
    [dispatch, sent.length, t.error, token],
  );

  return (
    <Box>
      <Box
        role="button"
        tabIndex={0}
        onClick={() => input.current?.click()}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            input.current?.click();
          }
        }}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void send(Array.from(e.dataTransfer.files));
        }}
        sx={{
          border: '2px dashed',
          borderColor: over ? 'primary.main' : 'grey.500',
          borderRadius: 2,
          p: 3,
          textAlign: 'center',
          cursor: 'pointer',
          bgcolor: over ? 'action.hover' : 'transparent',
        }}
      >
        <Typography>{t.dropHere}</Typography>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="upload-input"
          accept=".xml,.pdf,.png,.jpg,.jpeg,.tif,.tiff,.json,.tsv,.html"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            if (files.length) void send(files);
          }}
        />
      </Box>
      {sent.length > 0 && (
        <List dense aria-label={t.upload}>
          {sent.map((s, i) => (
            <ListItem key={`${s.name}-${i}`}>
              <ListItemText
                primary={s.name}
                secondary={
                  s.answer ? (
                    <Typography component="span" variant="body2" color={s.failed ? 'error' : 'text.secondary'}>
                      {s.answer}
                    </Typography>
                  ) : (
                    <LinearProgress
                      variant="determinate"
                      value={Math.round(s.progress * 100)}
                      aria-label={`${s.name}: ${Math.round(s.progress * 100)} %`}
                    />
                  )
                }
              />
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}
