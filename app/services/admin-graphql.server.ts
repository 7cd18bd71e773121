/** The slice of the Admin API client the app uses; `admin` from authenticate.admin fits it. */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export interface UserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}

export interface TopLevelError {
  message: string;
  /** extensions.code: THROTTLED, ACCESS_DENIED, RESOURCE_NOT_FOUND, … (absent on some errors). */
  code: string | null;
}

/**
 * Top-level GraphQL errors (HTTP 200 with `errors`), e.g. "No web pixel was found for this
 * app.", ACCESS_DENIED, THROTTLED. Carries each error's message and extensions.code so
 * callers can tell them apart without parsing a joined string.
 */
export class AdminApiError extends Error {
  constructor(readonly errors: TopLevelError[]) {
    super(
      `Admin API error: ${errors
        .map((e) => (e.code ? `${e.code}: ${e.message}` : e.message))
        .join("; ")
        .slice(0, 500)}`,
    );
    this.name = "AdminApiError";
  }
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
  mentions(pattern: RegExp): boolean {
    return this.errors.some((e) => pattern.test(e.message));
  }
}

type RawError = { message?: unknown; extensions?: { code?: unknown } };

function toTopLevel(raw: unknown): TopLevelError[] {
  if (typeof raw === "string") return [{ message: raw, code: null }];
  if (!Array.isArray(raw)) return [{ message: JSON.stringify(raw ?? "no data").slice(0, 300), code: null }];
  return (raw as RawError[]).map((e) => ({
    message: typeof e?.message === "string" ? e.message : JSON.stringify(e).slice(0, 300),
    code: typeof e?.extensions?.code === "string" ? e.extensions.code : null,
  }));
}

/**
 * The top-level errors of a failed call, whichever way the client reported them:
 * shopify-app-remix throws a GraphqlQueryError whose `body.errors.graphQLErrors` holds
 * them; a plain fetch client returns them in the body. Anything else: null.
 */
export function topLevelErrorsOf(e: unknown): TopLevelError[] | null {
  if (e instanceof AdminApiError) return e.errors;
  const gql = (e as { body?: { errors?: { graphQLErrors?: unknown } } } | null)?.body?.errors?.graphQLErrors;
  return Array.isArray(gql) ? toTopLevel(gql) : null;
}

/** Runs one Admin GraphQL operation and returns `data`; top-level errors throw AdminApiError. */
export async function adminQuery<T>(admin: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  let response: Response;
  try {
    response = await admin.graphql(query, variables ? { variables } : undefined);
  } catch (e) {
    const errors = topLevelErrorsOf(e);
    if (errors) throw new AdminApiError(errors);
    throw e;
  }
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new AdminApiError(toTopLevel(body.errors));
  return body.data;
}
