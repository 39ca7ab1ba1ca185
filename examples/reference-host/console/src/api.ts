// The host's API, through RTK Query: the session's token on every call, problems as errors.
import { createApi, fetchBaseQuery } from '@reduxjs/toolkit/query/react';

/** What `/auth/me` answers. */
export interface Me {
  subject: string;
  role: string | null;
  may: { read: boolean; write: boolean; admin: boolean };
  dev_sign_in: boolean;
}

/** An invoice as the host keeps it. */
export interface Invoice {
  invoice_id: string;
  processing_status: string;
  document_type: string;
  seller_nit: string | null;
  invoice_number: string | null;
  invoice_date: string | null;
  total_amount: string | null;
  registration_id: string | null;
  certificate_id: string | null;
  error: string | null;
  needs_ocr?: boolean;
  created_at: string;
  updated_at: string;
}

/** A field the OCR reader doubted, as `/invoices/{id}/details` lists it. */
export interface DoubtfulField {
  path: string;
  /** The value as read, as a correction gives it; null when it cannot be corrected. */
  value: string | null;
  correctable: boolean;
  confidence: number;
  checks?: string[];
}

export interface InvoicePage {
  items: Invoice[];
  next: string | null;
}

export interface InvoiceFilters {
  status?: string;
  seller_nit?: string;
  from?: string;
  to?: string;
  after?: string;
  limit?: number;
}

/** What `/stats/daily` answers. */
export interface Daily {
  days: { day: string; uploaded: number; statuses: Record<string, number>; commission: string }[];
  processing: { count: number; mean_seconds: number | null };
  ocr: { fields: number; trusted: number; accuracy_percent: number | null };
}

/** A problem the host answered (`application/problem+json`). */
export interface Problem {
  code: string;
  detail: string;
  status: number;
}

type Json = Record<string, unknown>;

const clean = (params: object) =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));

export const api = createApi({
  reducerPath: 'api',
  baseQuery: fetchBaseQuery({
    // The host that served the page.
    baseUrl: `${window.location.origin}/`,
    prepareHeaders: (headers, { getState }) => {
      const token = (getState() as { session: { token: string | null } }).session.token;
      if (token) headers.set('authorization', `Bearer ${token}`);
      return headers;
    },
  }),
  tagTypes: ['Invoice', 'Queues'],
  endpoints: (build) => ({
    me: build.query<Me, void>({ query: () => 'auth/me' }),
    devToken: build.mutation<{ token: string; role: string }, { role: string; name?: string }>({
      query: (body) => ({ url: 'auth/dev-token', method: 'POST', body }),
    }),
    invoices: build.query<InvoicePage, InvoiceFilters>({
      query: (filters) => ({ url: 'invoices', params: clean(filters) }),
      providesTags: ['Invoice'],
    }),
    details: build.query<{ invoice: Invoice; registration: Json | null; doubtful?: DoubtfulField[] }, string>({
      query: (id) => `invoices/${encodeURIComponent(id)}/details`,
      providesTags: ['Invoice'],
    }),
    review: build.mutation<Json, { id: string; decision: string; reason?: string }>({
      query: ({ id, ...body }) => ({
        url: `invoices/${encodeURIComponent(id)}/review`,
        method: 'POST',
        body,
      }),
      invalidatesTags: ['Invoice'],
    }),
    correct: build.mutation<
      Json,
      { id: string; corrections: { path: string; value: string }[]; reason?: string }
    >({
      query: ({ id, ...body }) => ({
        url: `invoices/${encodeURIComponent(id)}/corrections`,
        method: 'POST',
        body,
      }),
      invalidatesTags: ['Invoice'],
    }),
    emailCertificate: build.mutation<Json, { id: string; to: string }>({
      query: ({ id, to }) => ({
        url: `certificates/${encodeURIComponent(id)}/email`,
        method: 'POST',
        body: { to },
      }),
    }),
    searchProducts: build.query<Json, string>({
      query: (q) => ({ url: 'products/search', params: { q } }),
    }),
    product: build.query<Json, string>({ query: (code) => `products/${encodeURIComponent(code)}` }),
    classification: build.query<Json, string>({
      query: (code) => `products/classification/${encodeURIComponent(code)}`,
    }),
    queues: build.query<Json, void>({ query: () => 'admin/queues', providesTags: ['Queues'] }),
    redrive: build.mutation<Json, string>({
      query: (queue) => ({ url: `admin/queues/${queue}/redrive`, method: 'POST' }),
      invalidatesTags: ['Queues', 'Invoice'],
    }),
    reloadRules: build.mutation<Json, void>({
      query: () => ({ url: 'admin/rules/reload', method: 'POST' }),
    }),
    reloadCatalog: build.mutation<Json, void>({
      query: () => ({ url: 'admin/catalog/reload', method: 'POST' }),
    }),
    currentRules: build.query<Json, void>({ query: () => 'commissions/rules/current' }),
    auditVerify: build.query<Json, void>({ query: () => 'admin/audit/verify' }),
    dian: build.query<Json, void>({ query: () => 'admin/dian' }),
    daily: build.query<Daily, number>({ query: (days) => ({ url: 'stats/daily', params: { days } }) }),
  }),
});

export const {
  useMeQuery,
  useDevTokenMutation,
  useInvoicesQuery,
  useDetailsQuery,
  useReviewMutation,
  useCorrectMutation,
  useEmailCertificateMutation,
  useLazySearchProductsQuery,
  useLazyProductQuery,
  useLazyClassificationQuery,
  useQueuesQuery,
  useRedriveMutation,
  useReloadRulesMutation,
  useReloadCatalogMutation,
  useCurrentRulesQuery,
  useLazyAuditVerifyQuery,
  useDianQuery,
  useDailyQuery,
} = api;

/** The message of an error RTK Query answered. */
export function problemOf(error: unknown): string {
  const e = error as { status?: number | string; data?: Partial<Problem> } | undefined;
  if (!e) return '';
  if (e.data && e.data.detail) return `${e.data.code ?? e.status}: ${e.data.detail}`;
  return String(e.status ?? 'error');
}

/** Fetches `path` with the session's token as an object URL (for an image), or null. */
export async function objectUrl(path: string, token: string | null): Promise<string | null> {
  const answer = await fetch(`${window.location.origin}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!answer.ok) return null;
  return URL.createObjectURL(await answer.blob());
}

/** Uploads `file`, reporting progress (0 to 1); answers the host's JSON. */
export function uploadWithProgress(
  file: File,
  token: string | null,
  onProgress: (fraction: number) => void,
): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/invoices/upload');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: Json = {};
      try {
        body = JSON.parse(xhr.responseText) as Json;
      } catch {
        body = { detail: xhr.responseText };
      }
      onProgress(1);
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(file);
  });
}
