// The console's state: the session (token, language) and the API's cache.
import { configureStore, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { api } from './api';
import type { Lang } from './i18n';

const saved = (key: string) => {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
};

export interface Session {
  token: string | null;
  lang: Lang;
}

const initial: Session = {
  token: saved('bmc.token'),
  lang: saved('bmc.lang') === 'en' ? 'en' : 'es',
};

export const session = createSlice({
  name: 'session',
  initialState: initial,
  reducers: {
    signedIn(state, action: PayloadAction<string>) {
      state.token = action.payload;
      window.sessionStorage.setItem('bmc.token', action.payload);
    },
    signedOut(state) {
      state.token = null;
      window.sessionStorage.removeItem('bmc.token');
    },
    languageChosen(state, action: PayloadAction<Lang>) {
      state.lang = action.payload;
      window.sessionStorage.setItem('bmc.lang', action.payload);
      document.documentElement.lang = action.payload;
    },
  },
});

export const { signedIn, signedOut, languageChosen } = session.actions;

export function makeStore(preloaded?: Partial<Session>) {
  return configureStore({
    reducer: { session: session.reducer, [api.reducerPath]: api.reducer },
    preloadedState: preloaded ? { session: { ...initial, ...preloaded } } : undefined,
    middleware: (getDefault) => getDefault().concat(api.middleware),
  });
}

export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore['getState']>;
