/** The slice of the Admin API client the app uses; `admin` from authenticate.admin fits it. */
export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export interface UserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}

/** Runs one Admin GraphQL operation and returns `data`, throwing on top-level errors. */
export async function adminQuery<T>(admin: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await admin.graphql(query, variables ? { variables } : undefined);
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) {
    throw new Error(`Admin API error: ${JSON.stringify(body.errors ?? "no data").slice(0, 500)}`);
  }
  return body.data;
}
