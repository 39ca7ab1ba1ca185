// Renders a component with the console's store and theme, the host's answers faked by route.
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { ThemeProvider, createTheme } from '@mui/material/styles';
import { Provider } from 'react-redux';
import { vi } from 'vitest';
import { makeStore, type Session } from './store';

export type Answers = Record<string, (request: Request) => unknown>;

/** Fakes `fetch`: each `METHOD /path` of `answers` answers JSON; others 404. Answers the calls. */
export function fakeHost(answers: Answers) {
  const calls: Request[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      calls.push(request.clone());
      const url = new URL(request.url);
      const answer = answers[`${request.method} ${url.pathname}`];
      if (!answer) {
        return new Response(JSON.stringify({ code: 'HOST_NOT_FOUND', detail: url.pathname }), {
          status: 404,
          headers: { 'content-type': 'application/problem+json' },
        });
      }
      return new Response(JSON.stringify(await answer(request)), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
  return calls;
}

export function renderWith(ui: ReactElement, session?: Partial<Session>) {
  const store = makeStore(session);
  const view = render(
    <Provider store={store}>
      <ThemeProvider theme={createTheme()}>{ui}</ThemeProvider>
    </Provider>,
  );
  return { store, ...view };
}
