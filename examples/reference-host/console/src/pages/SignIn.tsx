import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useDispatch } from 'react-redux';
import { problemOf, useDevTokenMutation } from '../api';
import { useT } from '../i18n';
import { signedIn } from '../store';

/** Sign in with a token, or (on a development host) as a chosen role. */
export function SignIn() {
  const t = useT();
  const dispatch = useDispatch();
  const [token, setToken] = useState('');
  const [role, setRole] = useState('operator');
  const [name, setName] = useState('');
  const [devToken, dev] = useDevTokenMutation();

  return (
    <Paper component="main" sx={{ maxWidth: 480, mx: 'auto', mt: 6, p: 3 }}>
      <Typography variant="h5" component="h1" gutterBottom>
        {t.title}
      </Typography>
      <Stack
        component="form"
        spacing={2}
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) dispatch(signedIn(token.trim()));
        }}
      >
        <TextField
          label={t.token}
          helperText={t.tokenHelp}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          multiline
          minRows={2}
        />
        <Button type="submit" variant="contained" disabled={!token.trim()}>
          {t.signIn}
        </Button>
      </Stack>
      <Stack
        component="form"
        spacing={2}
        sx={{ mt: 4 }}
        aria-label={t.devSignIn}
        onSubmit={async (e) => {
          e.preventDefault();
          const answer = await devToken({ role, name: name.trim() || undefined });
          if ('data' in answer && answer.data) dispatch(signedIn(answer.data.token));
        }}
      >
        <Typography variant="h6" component="h2">
          {t.devSignIn}
        </Typography>
        <TextField select label={t.role} value={role} onChange={(e) => setRole(e.target.value)}>
          {['admin', 'operator', 'viewer'].map((r) => (
            <MenuItem key={r} value={r}>
              {r}
            </MenuItem>
          ))}
        </TextField>
        <TextField label={t.name} value={name} onChange={(e) => setName(e.target.value)} />
        <Button type="submit" variant="outlined" disabled={dev.isLoading}>
          {t.devSignIn}
        </Button>
        {dev.isError && <Alert severity="error">{problemOf(dev.error)}</Alert>}
      </Stack>
    </Paper>
  );
}
