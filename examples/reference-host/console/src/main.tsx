import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider, createTheme } from '@mui/material/styles';
import { Provider } from 'react-redux';
import { App } from './App';
import { makeStore } from './store';

// The exchange's blue, with contrast enough for text on it (WCAG AA).
const theme = createTheme({
  palette: {
    primary: { main: '#0d47a1' },
    secondary: { main: '#ffb300' },
    success: { main: '#1b5e20' },
    error: { main: '#b71c1c' },
    warning: { main: '#ed6c02', contrastText: '#000000' },
    info: { main: '#01579b' },
  },
  components: {
    // Tabs not chosen stay readable on the bar's blue.
    MuiTab: { styleOverrides: { textColorInherit: { opacity: 0.85 } } },
  },
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Provider store={makeStore()}>
        <ThemeProvider theme={theme}>
          <CssBaseline />
          <App />
        </ThemeProvider>
      </Provider>
    </StrictMode>,
  );
}
