import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { StatusChip } from './components/StatusChip';
import { InvoiceDetail } from './pages/InvoiceDetail';
import { SignIn } from './pages/SignIn';
import { languageChosen } from './store';
import { fakeHost, renderWith } from './test-utils';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.sessionStorage.clear();
  window.location.hash = '';
});

const me = (role: string, write: boolean, admin: boolean) => () => ({
  subject: `dev:${role}`,
  role,
  may: { read: true, write, admin },
  dev_sign_in: true,
});
const noInvoices = () => ({ items: [], next: null });

describe('the console', () => {
  it('names statuses in Spanish first, and in English when asked', async () => {
    const { store } = renderWith(<StatusChip status="NEEDS_REVIEW" />);
    expect(screen.getByText('Requiere revisión')).toBeInTheDocument();
    store.dispatch(languageChosen('en'));
    expect(await screen.findByText('Needs review')).toBeInTheDocument();
  });

  it('signs in as a chosen role through the development sign-in', async () => {
    const calls = fakeHost({
      'POST /auth/dev-token': () => ({ token: 'a.b.c', role: 'viewer' }),
    });
    const user = userEvent.setup();
    const { store } = renderWith(<SignIn />);
    await user.click(screen.getByRole('combobox', { name: 'Rol' }));
    await user.click(await screen.findByRole('option', { name: 'viewer' }));
    await user.type(screen.getByRole('textbox', { name: 'Nombre' }), 'ana');
    await user.click(screen.getByRole('button', { name: 'Ingreso de desarrollo' }));
    await waitFor(() => expect(store.getState().session.token).toBe('a.b.c'));
    const sent = await calls[0].json();
    expect(sent).toEqual({ role: 'viewer', name: 'ana' });
  });

  it('offers upload to an operator and not to a viewer', async () => {
    fakeHost({ 'GET /auth/me': me('operator', true, false), 'GET /invoices': noInvoices });
    const operator = renderWith(<App />, { token: 't' });
    expect(await screen.findByRole('heading', { name: 'Cargar facturas' })).toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Administración' })).not.toBeInTheDocument();
    operator.unmount();

    fakeHost({ 'GET /auth/me': me('viewer', false, false), 'GET /invoices': noInvoices });
    renderWith(<App />, { token: 't' });
    expect(await screen.findByText('No hay facturas con estos filtros.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Cargar facturas' })).not.toBeInTheDocument();
  });

  it('lists invoices with their statuses and filters by status', async () => {
    const calls = fakeHost({
      'GET /auth/me': me('admin', true, true),
      'GET /invoices': (request) => {
        const status = new URL(request.url).searchParams.get('status');
        const all = [
          { invoice_id: 'inv_1', processing_status: 'REGISTERED', invoice_number: 'SETP1', seller_nit: '900', total_amount: '10.00', created_at: '2026-12-01T10:00:00Z' },
          { invoice_id: 'inv_2', processing_status: 'NEEDS_REVIEW', invoice_number: 'SETP2', seller_nit: '900', total_amount: '20.00', created_at: '2026-12-01T11:00:00Z' },
        ];
        return { items: all.filter((i) => !status || i.processing_status === status), next: null };
      },
    });
    const user = userEvent.setup();
    renderWith(<App />, { token: 't' });
    expect(await screen.findByText('SETP1')).toBeInTheDocument();
    expect(screen.getByText('Registrada')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Administración' })).toBeInTheDocument();
    await user.click(screen.getByRole('combobox', { name: 'Estado' }));
    await user.click(await screen.findByRole('option', { name: 'Requiere revisión' }));
    await waitFor(() => expect(screen.queryByText('SETP1')).not.toBeInTheDocument());
    expect(screen.getByText('SETP2')).toBeInTheDocument();
    expect(calls.some((c) => new URL(c.url).searchParams.get('status') === 'NEEDS_REVIEW')).toBe(true);
  });

  it('charts registrations and commissions a day, with each value readable', async () => {
    fakeHost({
      'GET /auth/me': me('viewer', false, false),
      'GET /stats/daily': () => ({
        days: [
          { day: '2026-12-01', uploaded: 3, statuses: { REGISTERED: 2, REJECTED: 1 }, commission: '123760.00' },
          { day: '2026-12-02', uploaded: 0, statuses: {}, commission: '0' },
        ],
        processing: { count: 3, mean_seconds: 1.25 },
        ocr: { fields: 40, trusted: 39, accuracy_percent: 97.5 },
      }),
    });
    window.location.hash = '#/charts';
    renderWith(<App />, { token: 't' });
    const registered = await screen.findByRole('img', { name: 'Facturas registradas por día' });
    expect(registered.querySelector('title')?.textContent).toBe('2026-12-01: 2');
    const money = screen.getByRole('img', { name: 'Comisiones por día (COP)' });
    expect(money.querySelector('title')?.textContent).toBe('2026-12-01: 123760.00');
    expect(screen.getByText('1.3 s')).toBeInTheDocument();
    expect(screen.getByText('97.5 %')).toBeInTheDocument();
  });

  it('shows the doubtful OCR fields beside the page, and submits what the reviewer read', async () => {
    URL.createObjectURL = vi.fn(() => 'blob:page-1');
    URL.revokeObjectURL = vi.fn();
    const calls = fakeHost({
      'GET /invoices/inv_9/details': () => ({
        invoice: {
          invoice_id: 'inv_9',
          processing_status: 'NEEDS_REVIEW',
          needs_ocr: true,
          invoice_number: 'SETP990000002',
          updated_at: '2026-12-03T10:00:00Z',
        },
        registration: null,
        doubtful: [
          { path: 'cufe', value: '11f4', correctable: true, confidence: 0, checks: ['!cufe_shape'] },
          { path: 'lines[2].base', value: '6683266.80', correctable: true, confidence: 41, checks: [] },
          { path: 'lines', value: null, correctable: false, confidence: 0, checks: ['!rows_read'] },
        ],
      }),
      'GET /invoices/inv_9/pages/1': () => ({}),
      'POST /invoices/inv_9/corrections': () => ({ invoice_id: 'inv_9', status: 'PENDING' }),
    });
    const user = userEvent.setup();
    renderWith(<InvoiceDetail id="inv_9" canWrite />, { token: 't' });
    const cufe = await screen.findByRole('textbox', { name: 'CUFE' });
    expect(cufe).toHaveValue('11f4');
    expect(screen.getByText('confianza 0 · no pasó cufe_shape')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Línea 3 · total' })).toHaveValue('6683266.80');
    expect(screen.getByText(/No se corrige aquí/)).toBeInTheDocument();
    expect(await screen.findByRole('img', { name: 'Página 1 del documento' })).toHaveAttribute('src', 'blob:page-1');
    expect(calls.some((c) => c.headers.get('authorization') === 'Bearer t' && c.url.endsWith('/pages/1?width=1400'))).toBe(true);

    await user.clear(cufe);
    await user.type(cufe, '1f4dbc65');
    await user.type(screen.getByRole('textbox', { name: 'Motivo de la corrección (opcional)' }), 'leído en la página');
    await user.click(screen.getByRole('button', { name: 'Enviar correcciones' }));
    expect(await screen.findByText(/Correcciones enviadas/)).toBeInTheDocument();
    const sent = calls.find((c) => c.method === 'POST');
    expect(await sent?.json()).toEqual({
      corrections: [
        { path: 'cufe', value: '1f4dbc65' },
        { path: 'lines[2].base', value: '6683266.80' },
      ],
      reason: 'leído en la página',
    });
  });
});
