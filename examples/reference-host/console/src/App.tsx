import AppBar from '@mui/material/AppBar';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { useDispatch, useSelector } from 'react-redux';
import { api, useMeQuery } from './api';
import { useT } from './i18n';
import { Admin } from './pages/Admin';
import { Charts } from './pages/Charts';
import { InvoiceDetail } from './pages/InvoiceDetail';
import { Invoices } from './pages/Invoices';
import { Products } from './pages/Products';
import { SignIn } from './pages/SignIn';
import { go, useRoute } from './route';
import { languageChosen, signedOut, type RootState } from './store';

/** The console: sign-in, then the pages the role may use. */
export function App() {
  const t = useT();
  const dispatch = useDispatch();
  const token = useSelector((s: RootState) => s.session.token);
  const lang = useSelector((s: RootState) => s.session.lang);
  const route = useRoute();
  const me = useMeQuery(undefined, { skip: !token });

  if (!token) return <SignIn />;
  const signOut = () => {
    dispatch(signedOut());
    dispatch(api.util.resetApiState());
  };
  const may = me.data?.may;
  const page = route[0] ?? 'invoices';
  const tabs = [
    ['invoices', t.invoices],
    ['products', t.products],
    ['charts', t.charts],
    ...(may?.admin ? [['admin', t.admin]] : []),
  ];

  return (
    <Box>
      <AppBar position="static">
        <Toolbar sx={{ gap: 2, flexWrap: 'wrap' }}>
          <Typography variant="h6" component="p" sx={{ flexGrow: 1 }}>
            BMC · {t.title}
          </Typography>
          <Typography variant="body2" data-testid="who">
            {me.data ? `${me.data.subject} (${me.data.role ?? '—'})` : ''}
          </Typography>
          <Button color="inherit" onClick={() => dispatch(languageChosen(lang === 'es' ? 'en' : 'es'))} lang={lang === 'es' ? 'en' : 'es'}>
            {t.language}
          </Button>
          <Button color="inherit" onClick={signOut}>
            {t.signOut}
          </Button>
        </Toolbar>
        <Tabs
          value={tabs.some(([k]) => k === page) ? page : false}
          onChange={(_, v: string) => go(`/${v}`)}
          textColor="inherit"
          indicatorColor="secondary"
          aria-label="sections"
        >
          {tabs.map(([key, label]) => (
            // A click on the current tab goes back to its first page (from an invoice to the list).
            <Tab key={key} value={key} label={label} onClick={() => go(`/${key}`)} />
          ))}
        </Tabs>
      </AppBar>
      <Container component="main" sx={{ py: 3 }}>
        {me.isError && <Alert severity="error">{t.forbidden}</Alert>}
        {me.data && may?.read && page === 'invoices' && route[1] && <InvoiceDetail id={route[1]} canWrite={may.write} />}
        {me.data && may?.read && page === 'invoices' && !route[1] && <Invoices canUpload={may.write} />}
        {me.data && may?.read && page === 'products' && <Products />}
        {me.data && may?.read && page === 'charts' && <Charts />}
        {me.data && page === 'admin' && (may?.admin ? <Admin /> : <Alert severity="warning">{t.forbidden}</Alert>)}
      </Container>
    </Box>
  );
}
