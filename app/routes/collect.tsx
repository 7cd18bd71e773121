import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";

// Public pixel endpoint: no admin session (storefront requests carry none); each batch
// is authenticated by shop domain + per-shop ingest key instead.
export const action = ({ request }: ActionFunctionArgs) => appContext().ingestion.handleCollect(request);
export const loader = ({ request }: LoaderFunctionArgs) => appContext().ingestion.handleCollect(request);
